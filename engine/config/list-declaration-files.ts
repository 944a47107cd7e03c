import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

/** One declaration file: `path` as shown to users (built from what they typed), `absolute` for the record. */
export interface DeclarationFile {
  path: string;
  absolute: string;
}

export type DeclarationFiles = { dir: string; files: DeclarationFile[] } | { diagnostic: Diagnostic };

const YAML_FILE = /\.ya?ml$/;

/**
 * The files a declaration path stands for. A file is itself (its directory is
 * the declaration directory); a directory is every `*.yaml` / `*.yml` file
 * directly in it, sorted by name (code-point order, so every machine agrees).
 * A missing path or a directory without YAML files is a diagnostic without
 * a location (there is no line to point at).
 */
export async function listDeclarationFiles(path: string): Promise<DeclarationFiles> {
  const problem = (summary: string, detail: string): DeclarationFiles => ({
    diagnostic: { severity: 'error', summary, detail },
  });
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return problem(`no such file or directory: ${path}`, 'pass a declaration file or a directory of *.yaml files');
    }
    return problem(`cannot read ${path}: ${code ?? String(cause)}`, 'check the path and its permissions');
  }
  if (info.isFile()) return { dir: dirname(resolve(path)), files: [{ path, absolute: resolve(path) }] };
  if (!info.isDirectory()) return problem(`not a file or directory: ${path}`, 'pass a declaration file or a directory');

  const names: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (!YAML_FILE.test(entry.name)) continue;
    // Follow symlinks: a linked shared profiles file is a common layout.
    const target = entry.isSymbolicLink() ? await stat(join(path, entry.name)).catch(() => null) : null;
    if (entry.isFile() || target?.isFile()) names.push(entry.name);
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) {
    const detail = 'a declaration directory holds *.yaml or *.yml files (not searched recursively)';
    return problem(`no declaration files in ${path}`, detail);
  }
  const dir = resolve(path);
  return { dir, files: names.map((name) => ({ path: join(path, name), absolute: join(dir, name) })) };
}
