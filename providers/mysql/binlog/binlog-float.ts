/**
 * FLOAT and DOUBLE as the shortest text that reads back to the same stored
 * value: for FLOAT the shortest decimal whose float32 rounding is the stored
 * float32 (not the longer text of its float64 widening), for DOUBLE what
 * `Number#toString` gives (shortest round-trip). Negative zero keeps its sign.
 */

/** Shortest round-trip text of a float32 value (given widened to a JS number). */
export function float32Text(v: number): string {
  if (Object.is(v, -0)) return '-0';
  if (!Number.isFinite(v)) return String(v);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(v.toPrecision(digits));
    if (Math.fround(candidate) === v) return String(candidate);
  }
  return String(v);
}

/** Shortest round-trip text of a float64 value. */
export function float64Text(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}
