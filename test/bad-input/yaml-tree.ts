/**
 * A tiny block-style YAML writer for generated bad-input cases. Leaves are raw
 * YAML source text (`'"abc"'`, `'1.5'`, `'[a, b]'`, `''` for an empty value), so
 * a case can put any malformed value anywhere; the writer records where every
 * key and value lands, so expectations carry exact `line:column` positions.
 */
export type YamlTree = string | YamlTree[] | { [key: string]: YamlTree };
export type TreePath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

export interface Rendered {
  text: string;
  /** Where the key (for a list item: the item) of each path starts, by dotted field. */
  keys: Map<string, Position>;
  /** Where the value of each path starts (an empty value: its key), by dotted field. */
  values: Map<string, Position>;
}

/** `jobs.copy.databases[0].name`: the field spelling of diagnostics. */
export function fieldOf(path: TreePath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

const isMapping = (t: YamlTree | undefined): t is { [key: string]: YamlTree } =>
  t !== undefined && typeof t === 'object' && !Array.isArray(t);

export function renderTree(root: { [key: string]: YamlTree }, header: string[] = []): Rendered {
  const lines = [...header];
  const keys = new Map<string, Position>();
  const values = new Map<string, Position>();

  // `prefix` is what goes before the first key of this mapping on its first line ("- " for a list item).
  const mapping = (node: { [key: string]: YamlTree }, indent: number, path: TreePath, firstPrefix?: string): void => {
    let first = true;
    for (const [key, value] of Object.entries(node)) {
      const lead = first && firstPrefix !== undefined ? firstPrefix : ' '.repeat(indent);
      first = false;
      const here = [...path, key];
      const pos = { line: lines.length + 1, column: lead.length + 1 };
      keys.set(fieldOf(here), pos);
      if (
        typeof value === 'string' ||
        (isMapping(value) && Object.keys(value).length === 0) ||
        (Array.isArray(value) && value.length === 0)
      ) {
        const raw = typeof value === 'string' ? value : Array.isArray(value) ? '[]' : '{}';
        lines.push(raw === '' ? `${lead}${key}:` : `${lead}${key}: ${raw}`);
        values.set(fieldOf(here), raw === '' ? pos : { line: pos.line, column: pos.column + key.length + 2 });
      } else {
        lines.push(`${lead}${key}:`);
        values.set(fieldOf(here), { line: lines.length + 1, column: indent + 3 });
        block(value, indent + 2, here);
      }
    }
  };
  const block = (node: YamlTree, indent: number, path: TreePath): void => {
    if (isMapping(node)) return mapping(node, indent, path);
    if (!Array.isArray(node)) throw new Error('block() needs a mapping or a list');
    node.forEach((item, i) => {
      const here = [...path, i];
      const pos = { line: lines.length + 1, column: indent + 3 };
      keys.set(fieldOf(here), pos);
      values.set(fieldOf(here), pos);
      if (isMapping(item) && Object.keys(item).length > 0) mapping(item, indent + 2, here, `${' '.repeat(indent)}- `);
      else if (typeof item === 'string') lines.push(`${' '.repeat(indent)}- ${item}`);
      else throw new Error('list items are raw text or non-empty mappings');
    });
  };
  mapping(root, 0, []);
  return { text: `${lines.join('\n')}\n`, keys, values };
}

export function clone<T extends YamlTree>(t: T): T {
  return structuredClone(t);
}

function parentOf(root: YamlTree, path: TreePath): YamlTree {
  let node: YamlTree | undefined = root;
  for (const seg of path.slice(0, -1)) {
    node = Array.isArray(node) ? node[seg as number] : isMapping(node) ? node[seg as string] : undefined;
    if (node === undefined) throw new Error(`no ${fieldOf(path)} in the tree`);
  }
  return node;
}

/** Sets (or appends, for a new key) the value at `path`. */
export function setAt(root: YamlTree, path: TreePath, value: YamlTree): void {
  const parent = parentOf(root, path);
  const last = path.at(-1) as string | number;
  if (Array.isArray(parent)) parent[last as number] = value;
  else if (isMapping(parent)) parent[last as string] = value;
  else throw new Error(`cannot set ${fieldOf(path)}`);
}

export function deleteAt(root: YamlTree, path: TreePath): void {
  const parent = parentOf(root, path);
  if (!isMapping(parent)) throw new Error(`cannot delete ${fieldOf(path)}`);
  delete parent[path.at(-1) as string];
}

/** Renames the last key of `path` in place (the mapping keeps its order). */
export function renameAt(root: YamlTree, path: TreePath, to: string): void {
  const parent = parentOf(root, path);
  if (!isMapping(parent)) throw new Error(`cannot rename ${fieldOf(path)}`);
  const entries = Object.entries(parent).map(([k, v]): [string, YamlTree] => [k === path.at(-1) ? to : k, v]);
  for (const k of Object.keys(parent)) delete parent[k];
  for (const [k, v] of entries) parent[k] = v;
}
