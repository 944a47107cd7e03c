import type { FieldChange } from './plan-action.js';

/** Stable JSON for comparing plain records (key order independent). */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/**
 * Field-by-field differences of two flat-ish records, descending into plain
 * objects (not arrays). `sensitive` paths show as `(sensitive)`.
 */
export function diffFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  opts: { prefix?: string; sensitive?: ReadonlySet<string>; forcesReplacement?: ReadonlySet<string> } = {},
): FieldChange[] {
  const out: FieldChange[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) {
    const path = opts.prefix ? `${opts.prefix}.${key}` : key;
    const b = before[key];
    const a = after[key];
    if (sameValue(a, b)) continue;
    if (isPlainObject(a) && isPlainObject(b)) {
      out.push(...diffFields(b, a, { ...opts, prefix: path }));
      continue;
    }
    const change: FieldChange = opts.sensitive?.has(path)
      ? {
          path,
          before: b === null || b === undefined ? null : '(sensitive)',
          after: a === null || a === undefined ? null : '(sensitive, changed)',
        }
      : { path, before: b ?? null, after: a ?? null };
    if (opts.forcesReplacement?.has(path)) change.forcesReplacement = true;
    out.push(change);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
