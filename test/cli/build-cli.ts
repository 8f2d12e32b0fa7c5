import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

// The command under test is a JavaScript build of src/, run as a process like the installed bin. It is made with
// TypeScript's transpiler (the emit of `tsc`, without type checking, which eslint and `projen compile` do) into a
// private directory under node_modules/.cache, not into lib/: other sessions compile lib/ concurrently, and a
// full `tsc` or jsii build takes about 30 seconds where this takes one. `node -r ts-node/register` would do the
// same per process, at three to four seconds per start; these tests start the command some twenty times.

const ROOT = path.resolve(__dirname, '..', '..');

/** Build the command once per test file; returns the path of its main.js. */
export function buildCli(): string {
  // Under node_modules so that the build finds aws-cdk-lib, cdk-nag, commander and yaml like the package does.
  const cache = path.join(ROOT, 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true }); // a fresh `npm ci` has no .cache folder
  const out = fs.mkdtempSync(path.join(cache, 'cdk-s3-encryption-cli-'));
  const src = path.join(ROOT, 'src');
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []));
  for (const file of walk(src)) {
    const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true },
    });
    const target = path.join(out, 'lib', path.relative(src, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText);
  }
  // main.js reads the version from the package.json two levels up, as in the installed package.
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(out, 'package.json'));
  return path.join(out, 'lib', 'cli', 'main.js');
}

/** Remove a build made by buildCli. */
export function removeCli(main: string): void {
  fs.rmSync(path.resolve(main, '..', '..', '..'), { recursive: true, force: true });
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the command as a process, from the repository root unless told otherwise. */
export function cli(main: string, args: string[], cwd = ROOT): CliResult {
  const result = spawnSync(process.execPath, [main, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Run the command with `--format json` and parse its report. */
export function cliJson(main: string, args: string[]): CliResult & { report: any } {
  const result = cli(main, [...args, '--format', 'json']);
  return { ...result, report: JSON.parse(result.stdout) };
}

export const REPO_ROOT = ROOT;
