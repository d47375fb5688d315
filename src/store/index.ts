// Redis state of the sync engine: record links, last-synced base values, cursors, audit trail.
export * from './audit-entry.ts';
export * from './audit-trail.ts';
export * from './cursors.ts';
export * from './keys.ts';
export * from './lead-key.ts';
export * from './lead-link.ts';
export * from './lead-links.ts';
export { CorruptLinkError, type CorruptRecord, type LinkKeys } from './link-view.ts';
export type { LinkInput, LinkOutcome, MergeOutcome, RetireReason } from './link-plans.ts';
export * from './rate-limiter.ts';
export * from './redis.ts';
export * from './sync-state.ts';
