/** BullMQ queue names (no `:` allowed). One place, so producers and workers cannot disagree. */
export const QUEUE_NAMES = {
  ingest: 'leadbridge-ingest',
} as const;

/** Redis key prefix for BullMQ; tests pass their own so they never touch a real install's keys. */
export const DEFAULT_QUEUE_PREFIX = 'leadbridge';
