import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node as YamlNode, Pair } from 'yaml';
import type { SourceLocation } from '../diagnostics/diagnostic.js';
import type { FieldPath } from './field-path.js';

/** Maps declaration paths and parser offsets back to `file:line:column` (1-based). */
export interface YamlLocator {
  readonly file: string;
  /** Where the value at `path` starts (an empty value points at its key). */
  value(path: FieldPath): SourceLocation;
  /** Where the key of the last segment starts; for a list item, where the item starts. */
  key(path: FieldPath): SourceLocation;
  /** The location of a parser offset. */
  offset(offset: number): SourceLocation;
  /** The path of the deepest key or value containing `offset` (best effort, for parser errors). */
  pathAt(offset: number): FieldPath;
}

interface Found {
  pair?: Pair;
  node?: YamlNode;
}

/**
 * Builds a locator for one parsed file. Lookups that do not resolve fully
 * (defaults, aliases into odd places) fall back to the nearest ancestor so a
 * diagnostic always has a position.
 */
export function createYamlLocator(file: string, doc: Document, lines: LineCounter): YamlLocator {
  const at = (offset: number): SourceLocation => {
    const { line, col } = lines.linePos(offset);
    return { file, line: Math.max(1, line), column: Math.max(1, col) };
  };
  const start = (node: YamlNode | undefined): number | undefined => node?.range?.[0] ?? undefined;
  const root = (doc.contents ?? undefined) as YamlNode | undefined;

  // Walks as far as the path resolves; returns the trail of steps taken.
  const walk = (path: FieldPath): Found[] => {
    const trail: Found[] = [];
    let node = root;
    for (const seg of path) {
      if (node && isAlias(node)) node = (node.resolve(doc) ?? undefined) as YamlNode | undefined;
      if (!node) break;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const value = (pair.value ?? undefined) as YamlNode | undefined;
        trail.push({ pair, node: value });
        node = value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as YamlNode | undefined;
        if (!item) break;
        trail.push({ node: item });
        node = item;
      } else break;
    }
    return trail;
  };

  const keyStart = (found: Found | undefined): number | undefined =>
    found?.pair ? start(found.pair.key as YamlNode) : start(found?.node);

  const valueStart = (found: Found | undefined): number | undefined => {
    const n = found?.node;
    // `key:` with nothing after it has an empty scalar at the line end; the key is more useful.
    if (!n || (isScalar(n) && n.value === null && n.source === '')) return keyStart(found);
    return start(n);
  };

  const fallback = (trail: Found[]): number => {
    for (let i = trail.length - 1; i >= 0; i--) {
      const s = keyStart(trail[i]);
      if (s !== undefined) return s;
    }
    return start(root) ?? 0;
  };

  return {
    file,
    value(path) {
      const trail = walk(path);
      const s = trail.length === path.length && path.length > 0 ? valueStart(trail.at(-1)) : undefined;
      return at(s ?? (path.length === 0 ? (start(root) ?? 0) : fallback(trail)));
    },
    key(path) {
      const trail = walk(path);
      const s = trail.length === path.length && path.length > 0 ? keyStart(trail.at(-1)) : undefined;
      return at(s ?? (path.length === 0 ? (start(root) ?? 0) : fallback(trail)));
    },
    offset: at,
    pathAt(offset) {
      const path: (string | number)[] = [];
      const contains = (n: unknown): boolean => {
        const r = (n as YamlNode | null)?.range;
        return !!r && r[0] <= offset && offset < Math.max(r[1], r[0] + 1);
      };
      let node = root;
      for (;;) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && (contains(p.key) || contains(p.value)));
          if (!pair || !isScalar(pair.key)) return path;
          path.push(String(pair.key.value));
          if (contains(pair.key)) return path;
          node = pair.value as YamlNode;
        } else if (isSeq(node)) {
          const index = node.items.findIndex((n) => contains(n));
          if (index < 0) return path;
          path.push(index);
          node = node.items[index] as YamlNode;
        } else return path;
      }
    },
  };
}
