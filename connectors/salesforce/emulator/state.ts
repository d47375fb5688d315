import type { Faults } from './faults.ts';
import type { OutboundSender } from './outbound-sender.ts';
import type { Sessions } from './sessions.ts';
import type { OrgStore } from './store.ts';
import type { ApiUsage } from './usage.ts';

/** Everything the emulator's routes share. */
export interface EmulatorState {
  store: OrgStore;
  usage: ApiUsage;
  sessions: Sessions;
  faults: Faults;
  /** Tokens presented so far (so "expire sessions" can invalidate tokens it never issued). */
  tokensSeen: Set<string>;
  /** Calls left before every session expires (from `expireSessionsAfterCalls`). */
  callsUntilExpiry: number | undefined;
  /** Open query cursors: locator -> the remaining projected rows. */
  locators: Map<string, Array<Record<string, unknown>>>;
  outbound: OutboundSender | undefined;
  /** Deterministic source for error-rate faults. */
  random: () => number;
  now: () => number;
  /** The emulator's own base URL (login URL and instance URL). */
  baseUrl: () => string;
  defaultSeed: number;
  /** Marks the composite subrequests the emulator sends itself (see composite-routes.ts). */
  subrequestSecret: string;
}

/** Salesforce's JSON error body: an array of `{ message, errorCode }`. */
export function sfError(errorCode: string, message: string, fields?: string[]) {
  return [{ message, errorCode, ...(fields ? { fields } : {}) }];
}
