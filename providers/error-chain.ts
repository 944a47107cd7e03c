/** True when `err` or an error in its `cause` chain (8 deep at most) satisfies `test`. */
export function someCause(err: unknown, test: (e: { code?: unknown; errno?: unknown; message?: unknown }) => boolean): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (test(e as { code?: unknown })) return true;
  }
  return false;
}
