/** Exit codes every command uses. */
export const EXIT = {
  ok: 0,
  /** A check failed or the run ended with errors. */
  failure: 1,
  /** Bad config, bad credentials or bad arguments: nothing was written. */
  usage: 2,
} as const;
