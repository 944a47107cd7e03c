/** Where a value came from in the user's YAML (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * A problem reported to the user: config mistakes, illegal transitions,
 * prerequisite failures. Unexpected failures are `Error`s, not diagnostics.
 */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** One line: what is wrong. */
  summary: string;
  /** What to do about it, and any context. */
  detail?: string;
  /** The dotted field path, e.g. `jobs.shop.parallelism`. */
  field?: string;
  /** Plan address this is about, e.g. `job.shop`. */
  address?: string;
  location?: SourceLocation;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** `file:line:column: error: summary (field)` — the one format every command prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : '';
  const field = d.field ? ` (${d.field})` : '';
  const head = `${where}${d.severity}: ${d.summary}${field}`;
  return d.detail ? `${head}\n  ${d.detail.split('\n').join('\n  ')}` : head;
}
