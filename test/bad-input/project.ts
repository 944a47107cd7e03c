import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One entry of a directory tree: a file's bytes, or a directory; both with their modification time. */
export type Entry = { kind: 'file'; bytes: Buffer; mtimeMs: number } | { kind: 'dir'; mtimeMs: number };

/** Every file and directory under `root` (relative path → entry); an absent root is an empty map. */
export function snapshotTree(root: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (rel: string): void => {
    const abs = rel === '' ? root : join(root, rel);
    let info;
    try {
      info = lstatSync(abs);
    } catch {
      return;
    }
    if (info.isDirectory()) {
      if (rel !== '') out.set(rel, { kind: 'dir', mtimeMs: info.mtimeMs });
      for (const name of readdirSync(abs).sort()) walk(rel === '' ? name : join(rel, name));
    } else out.set(rel, { kind: 'file', bytes: readFileSync(abs), mtimeMs: info.mtimeMs });
  };
  walk('');
  return out;
}

/**
 * Differences between two snapshots, as readable lines (empty = identical):
 * added or removed paths, changed bytes, and (stricter than bytes) a changed
 * modification time, which also catches a file written back with the same
 * content or a lock created and removed again inside a directory.
 */
export function diffTrees(before: Map<string, Entry>, after: Map<string, Entry>, opts: { bytesOnly?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const [path, a] of before) {
    const b = after.get(path);
    if (!b) out.push(`removed: ${path}`);
    else if (a.kind !== b.kind) out.push(`changed kind: ${path}`);
    else if (a.kind === 'file' && b.kind === 'file' && !a.bytes.equals(b.bytes)) out.push(`changed bytes: ${path}`);
    else if (!opts.bytesOnly && a.mtimeMs !== b.mtimeMs) out.push(`changed mtime: ${path}${a.kind === 'dir' ? '/' : ''}`);
  }
  for (const path of after.keys()) if (!before.has(path)) out.push(`added: ${path}`);
  return out;
}

/** A diagnostic as the CLI prints it: `file:line:column: error: summary (field)` plus indented detail lines. */
export interface PrintedDiagnostic {
  file?: string;
  line?: number;
  column?: number;
  severity: 'error' | 'warning';
  summary: string;
  field?: string;
  detail: string;
}

const HEAD = /^(?:(.+):(\d+):(\d+): )?(error|warning): (.*)$/;
const FIELD = / \(([A-Za-z0-9_$.\-[\]"' ]+)\)$/;
export const FINAL_LINE = /^(\d+) error\(s\) in the declaration; nothing was changed\.$/;

/**
 * Parses the CLI's stderr for a rejected declaration. Every line must be a
 * diagnostic head, an indented detail line, or the final count line; anything
 * else (a stack trace, a stray message) is returned in `unexpected`.
 */
export function parseDiagnostics(stderr: string): { diagnostics: PrintedDiagnostic[]; finalLine?: string; unexpected: string[] } {
  const diagnostics: PrintedDiagnostic[] = [];
  const unexpected: string[] = [];
  let finalLine: string | undefined;
  for (const line of stderr.replace(/\n$/, '').split('\n')) {
    const last = diagnostics.at(-1);
    if (line.startsWith('  ') && last) {
      last.detail += `${last.detail ? '\n' : ''}${line.slice(2)}`;
      continue;
    }
    if (FINAL_LINE.test(line)) {
      finalLine = line;
      continue;
    }
    const m = HEAD.exec(line);
    if (!m) {
      unexpected.push(line);
      continue;
    }
    let summary = m[5] ?? '';
    const f = FIELD.exec(summary);
    const field = f?.[1];
    if (field !== undefined) summary = summary.slice(0, -(field.length + 3));
    diagnostics.push({
      ...(m[1] !== undefined ? { file: m[1], line: Number(m[2]), column: Number(m[3]) } : {}),
      severity: m[4] as 'error' | 'warning',
      summary,
      ...(field !== undefined ? { field } : {}),
      detail: '',
    });
  }
  return { diagnostics, ...(finalLine !== undefined ? { finalLine } : {}), unexpected };
}
