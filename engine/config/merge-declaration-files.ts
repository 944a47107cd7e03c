import type { Diagnostic, SourceLocation } from '../diagnostics/diagnostic.js';
import { formatFieldPath } from './field-path.js';
import type { ParsedDeclarationFile } from './parse-declaration-file.js';

/** A named profile or job as written, with the file it came from (values still unchecked `unknown`). */
export interface DeclaredEntry {
  name: string;
  value: unknown;
  file: ParsedDeclarationFile;
}

/** All files' profiles and jobs in one namespace; the first declaration of a name wins. `backend` and `policy` come from one file each. */
export interface MergedDeclaration {
  backend?: { value: unknown; file: ParsedDeclarationFile };
  policy?: { value: unknown; file: ParsedDeclarationFile };
  profiles: Map<string, DeclaredEntry>;
  jobs: Map<string, DeclaredEntry>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const at = (loc: SourceLocation): string => `${loc.file}:${loc.line}:${loc.column}`;

/**
 * Merges files in the given order. Profile and job names share one namespace
 * per kind across files, so a name declared twice is an error naming both
 * places; `backend` and `policy` may be set by one file only.
 */
export function mergeDeclarationFiles(files: readonly ParsedDeclarationFile[]): {
  merged: MergedDeclaration;
  diagnostics: Diagnostic[];
} {
  const merged: MergedDeclaration = { profiles: new Map(), jobs: new Map() };
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    for (const key of ['backend', 'policy'] as const) {
      if (!(key in file.data)) continue;
      const seen = merged[key];
      if (seen) {
        const first = seen.file.locator.key([key]);
        diagnostics.push({
          severity: 'error',
          summary: `${key} is declared in two files: first at ${at(first)}`,
          detail: `${key === 'backend' ? 'the state backend' : 'the policy'} is declared once per declaration: keep one of them`,
          field: key,
          location: file.locator.key([key]),
        });
      } else merged[key] = { value: file.data[key], file };
    }
    for (const kind of ['profiles', 'jobs'] as const) {
      const section = file.data[kind];
      if (!isRecord(section)) continue;
      const word = kind === 'profiles' ? 'profile' : 'job';
      for (const [name, value] of Object.entries(section)) {
        const existing = merged[kind].get(name);
        if (existing) {
          const first = existing.file.locator.key([kind, name]);
          diagnostics.push({
            severity: 'error',
            summary: `${word} "${name}" is declared twice: first at ${at(first)}`,
            detail: `${word} names are unique across all files of a declaration: rename or remove one`,
            field: formatFieldPath([kind, name]),
            location: file.locator.key([kind, name]),
          });
        } else merged[kind].set(name, { name, value, file });
      }
    }
  }
  return { merged, diagnostics };
}
