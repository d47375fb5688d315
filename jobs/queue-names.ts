/** BullMQ queue names (no `:` allowed). One place, so producers and workers cannot disagree. */
export const QUEUE_NAMES = {
  ingest: 'leadbridge-ingest',
  /** One job per tenant at a time (deduplicated by tenant): reconciles that tenant's due pending records. */
  reconcile: 'leadbridge-reconcile',
  /** Job schedulers per tenant and system: the pollers, the safety net under the webhooks. */
  poll: 'leadbridge-poll',
  /** Job schedulers per tenant with `hubspot.ingest: journal`: reads the HubSpot Webhooks Journal. */
  journal: 'leadbridge-journal',
  /** Delayed jobs, one per open deadline of a lead (follow-up, reminder, feedback, recycle). */
  timers: 'leadbridge-timers',
  /** Owner decisions at handoff, notification deliveries and SLA escalation timers (jobs/notify/). */
  notify: 'leadbridge-notify',
} as const;

/** Redis key prefix for BullMQ; tests pass their own so they never touch a real install's keys. */
export const DEFAULT_QUEUE_PREFIX = 'leadbridge';
