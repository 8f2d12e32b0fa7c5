// TEMPORARY: the reader API on top of the old loader, until the bounded reader lands.
import { InputError, lineOf, templatesAt } from './templates';

export interface SourcePosition { readonly line: number; readonly column: number }
export interface InputProblem { readonly file: string; readonly position?: SourcePosition; readonly message: string }
export interface ReadOptions { readonly maxTemplateBytes?: number }
export interface ReadTemplate {
  readonly file: string;
  readonly stackName: string;
  readonly template: Record<string, unknown>;
  locate(path: ReadonlyArray<string | number>): SourcePosition | undefined;
}

export function readInputs(paths: readonly string[], _options: ReadOptions = {}): { groups: ReadTemplate[][]; problems: InputProblem[] } {
  const groups: ReadTemplate[][] = [];
  const problems: InputProblem[] = [];
  for (const input of paths) {
    try {
      groups.push(templatesAt(input).map((source) => ({
        file: source.file,
        stackName: source.stackName,
        template: source.template as Record<string, unknown>,
        locate: (path) => {
          const line = path.length >= 2 && path[0] === 'Resources' ? lineOf(source, String(path[1])) : undefined;
          return line === undefined ? undefined : { line, column: 3 };
        },
      })));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push({ file: e.file, message: e.message.slice(e.file.length + 2) });
    }
  }
  return { groups, problems };
}
