import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { FieldPath } from './field-path.js';
import { formatFieldPath } from './field-path.js';
import type { ParsedDeclarationFile } from './parse-declaration-file.js';
import { secretRefProblem } from './secret-ref.js';
import { validateTablePattern } from './table-pattern.js';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Rules within one file that JSON Schema cannot express: password references,
 * table patterns, a job copying onto itself, repeated databases or targets.
 * Runs even when the schema found errors (it skips values of the wrong
 * shape, which the schema already reported), so users see everything at once.
 */
export function checkDeclarationFile(parsed: ParsedDeclarationFile): Diagnostic[] {
  const { data, locator } = parsed;
  const out: Diagnostic[] = [];
  const error = (path: FieldPath, summary: string, detail?: string, at: 'key' | 'value' = 'value'): void => {
    out.push({
      severity: 'error',
      summary,
      ...(detail ? { detail } : {}),
      field: formatFieldPath(path),
      location: at === 'key' ? locator.key(path) : locator.value(path),
    });
  };

  const profiles = isRecord(data.profiles) ? data.profiles : {};
  for (const [name, profile] of Object.entries(profiles)) {
    if (!isRecord(profile) || typeof profile.password !== 'string') continue;
    const problem = secretRefProblem(profile.password);
    if (problem) {
      // The summary is fixed text: the value may be a real password and must not be echoed.
      const literal = !profile.password.startsWith('${');
      error(
        ['profiles', name, 'password'],
        literal ? 'password must not be written in the declaration' : 'invalid secret reference',
        literal ? 'use ${env:NAME} (an environment variable) or ${file:PATH} (a file holding the password)' : problem,
      );
    }
  }

  const jobs = isRecord(data.jobs) ? data.jobs : {};
  for (const [name, job] of Object.entries(jobs)) {
    if (!isRecord(job)) continue;
    if (typeof job.source === 'string' && job.source === job.destination) {
      error(
        ['jobs', name, 'destination'],
        `source and destination are the same profile "${job.source}"`,
        'a job copies from one server to another: point destination at a different profile',
      );
    }
    if (Array.isArray(job.databases)) checkDatabases(['jobs', name, 'databases'], job.databases, error, locator.value);
  }
  return out;
}

type Report = (path: FieldPath, summary: string, detail?: string) => void;

function checkDatabases(
  base: FieldPath,
  databases: unknown[],
  error: Report,
  where: (path: FieldPath) => { line: number; column: number },
): void {
  const names = new Map<string, number>();
  const targets = new Map<string, number>();
  databases.forEach((db, i) => {
    if (!isRecord(db)) return;
    const here: FieldPath = [...base, i];
    if (typeof db.name === 'string' && db.name !== '') {
      const first = names.get(db.name);
      if (first !== undefined) {
        const at = where([...base, first, 'name']);
        const summary = `database "${db.name}" is listed twice in this job`;
        error([...here, 'name'], summary, `first listed at line ${at.line}, column ${at.column}`);
      } else {
        names.set(db.name, i);
        const target = typeof db.target === 'string' ? db.target : db.name;
        const other = targets.get(target);
        if (other !== undefined) {
          // Point at the target if written, else at the name it defaults to.
          const field = typeof db.target === 'string' ? 'target' : 'name';
          error(
            [...here, field],
            `two databases of this job go to the same target "${target}"`,
            `databases[${other}] already targets "${target}": give one of them another target`,
          );
        } else targets.set(target, i);
      }
    }
    const tables = db.tables;
    if (!isRecord(tables)) return;
    for (const list of ['include', 'exclude'] as const) {
      const patterns = tables[list];
      if (!Array.isArray(patterns)) continue;
      patterns.forEach((pattern, j) => {
        if (typeof pattern !== 'string') return;
        const problem = validateTablePattern(pattern);
        if (!problem) return;
        error([...here, 'tables', list, j], `invalid table pattern ${JSON.stringify(pattern)}: ${problem}`);
      });
    }
  });
}
