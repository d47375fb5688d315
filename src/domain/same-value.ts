/**
 * Whether two JSON-like values hold the same data: objects compared key by key whatever their order, a
 * property set to `undefined` the same as one left out (JSON drops both). Arrays compare in order.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameValue(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const defined = (record: Record<string, unknown>) =>
    Object.keys(record).filter((key) => record[key] !== undefined);
  const keys = defined(left);
  if (keys.length !== defined(right).length) return false;
  return keys.every((key) => sameValue(left[key], right[key]));
}
