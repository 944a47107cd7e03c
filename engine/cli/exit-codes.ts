/**
 * Exit codes, stable and documented in the README. Scripts and CI depend on
 * them; never renumber.
 */
export const EXIT = {
  /** Success; for `plan --detailed-exitcode`: no changes. */
  OK: 0,
  /**
   * Any error: bad declaration, illegal plan, failed job, stale plan, refused apply — including
   * policy refusals (a protected job, `policy.destructive: deny`, a missing or unknown `--approved-by`).
   */
  ERROR: 1,
  /** `plan --detailed-exitcode`: the plan has changes (or drift). */
  CHANGES: 2,
  /** `verify`: source and destination differ. */
  DIFFERENT: 3,
  /** The state is locked by someone else. */
  LOCKED: 4,
  /** `apply --timeout` passed before every job reached its desired state. */
  TIMEOUT: 5,
  /** Interrupted by SIGINT/SIGTERM (state left consistent, lock released). */
  INTERRUPTED: 130,
} as const;

/** An error that ends a command with a specific exit code; its message is printed as is. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.ERROR,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
