// Where things are in a file: one line index per file, and a tree of the offsets of keys and items by path.

/** Where something is in a file, 1-based. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Offsets of line starts, built on first use, then a binary search per position. */
export class LineIndex {
  private starts?: number[];

  constructor(private readonly text: string) {}

  position(offset: number): SourcePosition {
    const starts = (this.starts ??= lineStarts(this.text));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = Math.floor((low + high + 1) / 2);
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low] + 1 };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** A node of a parsed document: where it is reported, and the nodes below it by key or index. */
export class PositionNode {
  /** Children by key (mappings) or index (sequences). */
  kids?: Map<string | number, PositionNode>;
  /** The node is a sequence: its children are found by number. */
  sequence = false;
  /**
   * Every child is in `kids`. False where a JSON scan stopped recording to save memory: `value` is then where the
   * node's value starts, to scan it when asked.
   */
  complete = true;

  /**
   * @param at offset reported for the node: a mapping key's own offset, an item's value offset
   * @param value offset where the node's value starts
   */
  constructor(readonly at: number, readonly value: number) {}

  child(key: string | number, at: number, value: number): PositionNode {
    const node = new PositionNode(at, value);
    (this.kids ??= new Map()).set(key, node);
    return node;
  }

  get(key: string | number): PositionNode | undefined {
    return this.kids?.get(this.sequence ? Number(key) : String(key));
  }
}

/** Path of an expanded node (as a JSON string) → path of the text it came from, for `Fn::ForEach` products. */
export type PathAliases = Map<string, ReadonlyArray<string | number>>;

/** Finds nodes by path in one file: O(path length) map lookups, and at most one scan of a value not yet indexed. */
export class Locator {
  constructor(
    private readonly root: PositionNode,
    private readonly lines: LineIndex,
    private readonly complete: (node: PositionNode) => void = () => undefined,
    readonly aliases: PathAliases = new Map(),
  ) {}

  locate(path: ReadonlyArray<string | number>): SourcePosition | undefined {
    const node = this.node(this.sourcePath(path));
    return node === undefined ? undefined : this.lines.position(node.at);
  }

  private sourcePath(path: ReadonlyArray<string | number>): ReadonlyArray<string | number> {
    if (this.aliases.size === 0) return path;
    for (let length = path.length; length > 0; length--) {
      const source = this.aliases.get(JSON.stringify(path.slice(0, length)));
      if (source !== undefined) return [...source, ...path.slice(length)];
    }
    return path;
  }

  private node(path: ReadonlyArray<string | number>): PositionNode | undefined {
    let node = this.root;
    for (const key of path) {
      let next = node.get(key);
      if (next === undefined && !node.complete) {
        this.complete(node);
        node.complete = true;
        next = node.get(key);
      }
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }
}
