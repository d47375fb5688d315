/**
 * Fixed debounce (`sync.debounceMode: fixed`): every routine change waits the whole debounce, and the
 * tenant's batches are taken on a grid of `debounceMs` (multiples of it since the epoch, the same for
 * every worker). A steady stream then costs one batch per tick, the fewest API calls per change, at a
 * latency between one and two debounces. Pure: the caller passes the clock.
 */

/** Milliseconds from `nowMs` (epoch ms) to the first grid tick at least `debounceMs` away; 0 when off. */
export function fixedDebounceDelayMs(nowMs: number, debounceMs: number): number {
  if (!(debounceMs > 0)) return 0;
  return Math.ceil((nowMs + debounceMs) / debounceMs) * debounceMs - nowMs;
}
