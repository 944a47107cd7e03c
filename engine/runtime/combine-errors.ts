/**
 * One error for several failures of parallel work, so none is dropped: the
 * error itself when there is one, else an AggregateError whose message names
 * every failure (and whose `errors` keep each with its cause chain).
 */
export function combineErrors(errors: readonly Error[], what: string): Error {
  if (errors.length === 1 && errors[0]) return errors[0];
  return new AggregateError(errors, `${errors.length} ${what} failed: ${errors.map((e) => e.message).join('; ')}`);
}

/** The failures an error stands for: the members of an AggregateError (recursively), else the error itself. */
export function leafErrors(err: unknown): unknown[] {
  if (err instanceof AggregateError) return err.errors.flatMap(leafErrors);
  return [err];
}

/** `message: cause: cause…` — the whole chain, for a status line (secrets never reach error messages). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const message = e instanceof Error ? e.message : String(e);
    // wrappers usually embed their cause's message already
    if (!parts.some((p) => p.includes(message))) parts.push(message);
  }
  return parts.join(': ');
}

/** The first error code in an error, its causes or its members (SQLSTATE, errno…): what status and logs show. */
export function errorCode(err: unknown): string | undefined {
  for (const leaf of leafErrors(err)) {
    for (let e: unknown = leaf, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && code) return code;
    }
  }
  return undefined;
}
