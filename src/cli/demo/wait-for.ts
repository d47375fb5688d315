/** How often the demo looks at the emulators while it waits for an effect, in milliseconds. */
const POLL_MS = 100;

/** Thrown when a story step's effect did not show up in time; the message says what was last seen. */
export class NotSeenError extends Error {
  constructor(what: string, timeoutMs: number, lastSeen: string) {
    super(`${what} not seen within ${timeoutMs / 1000} s (last seen: ${lastSeen})`);
    this.name = 'NotSeenError';
  }
}

/**
 * Polls `probe` until it returns a value (not undefined), or throws NotSeenError after `timeoutMs`;
 * `lastSeen` describes the state at the deadline. An aborted `signal` stops the wait at once.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; lastSeen: () => Promise<string> | string; signal?: AbortSignal },
): Promise<T> {
  const until = Date.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new NotSeenError(what, options.timeoutMs, await options.lastSeen());
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
