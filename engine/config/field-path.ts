/** A path into the declaration: mapping keys and list indexes, e.g. `['jobs', 'shop', 'databases', 0]`. */
export type FieldPath = readonly (string | number)[];

/**
 * The dotted form users see in diagnostics: `jobs.shop.databases[0].tables.include[1]`.
 * List indexes use brackets so they cannot be mistaken for a key named `0`.
 */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Decodes an ajv `instancePath` (a JSON pointer) into segments; digit-only segments become indexes. */
export function fieldPathFromPointer(pointer: string, data: unknown): FieldPath {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    // Only list positions are numbers: a mapping key "0" stays a string.
    if (Array.isArray(node) && /^\d+$/.test(seg)) {
      const index = Number(seg);
      path.push(index);
      node = node[index];
    } else {
      path.push(seg);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return path;
}
