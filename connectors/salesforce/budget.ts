import { BUDGET_RECHECK_MS, LIMIT_EXCEEDED_PAUSE_MS } from './limits.ts';
import type { BudgetState, BudgetStore } from './budget-store.ts';

/** Whether a tenant may start new work now. */
export type BudgetDecision =
  | { kind: 'go' }
  /** Our share is used up or Salesforce said REQUEST_LIMIT_EXCEEDED: start nothing for `waitMs`. */
  | {
      kind: 'wait';
      waitMs: number;
      reason: 'REQUEST_LIMIT_EXCEEDED' | 'BUDGET_SHARE';
      used: number;
      limit: number;
    }
  /** The last reading is old and said "stop": one cheap call (GET /limits) may read the usage again. */
  | { kind: 'probe' };

/**
 * Pure: compares the last usage reading with the tenant's share of the daily limit. Usage in a rolling
 * window only falls as old calls age out, so once the share is used we wait and re-read rather than try.
 */
export function budgetDecision(state: BudgetState | null, share: number, now: number): BudgetDecision {
  if (!state) return { kind: 'go' };
  if (state.pausedUntil > now) {
    return {
      kind: 'wait',
      waitMs: state.pausedUntil - now,
      reason: 'REQUEST_LIMIT_EXCEEDED',
      used: state.used,
      limit: state.limit,
    };
  }
  if (state.used < Math.floor(state.limit * share)) return { kind: 'go' };
  if (now - state.observedAt < BUDGET_RECHECK_MS) {
    return {
      kind: 'wait',
      waitMs: state.observedAt + BUDGET_RECHECK_MS - now,
      reason: 'BUDGET_SHARE',
      used: state.used,
      limit: state.limit,
    };
  }
  return { kind: 'probe' };
}

/** Raised before any call is made when the tenant must not start new work. */
export class BudgetExhaustedError extends Error {
  readonly errorCode = 'LEADBRIDGE_BUDGET';
  readonly waitMs: number;
  readonly reason: string;

  constructor(decision: Extract<BudgetDecision, { kind: 'wait' }>) {
    super(
      decision.reason === 'REQUEST_LIMIT_EXCEEDED'
        ? `Salesforce daily API limit reached (${decision.used}/${decision.limit}); paused for ${Math.ceil(decision.waitMs / 1000)} s`
        : `LeadBridge's share of the Salesforce daily API limit is used (${decision.used}/${decision.limit}); waiting ${Math.ceil(decision.waitMs / 1000)} s`,
    );
    this.name = 'BudgetExhaustedError';
    this.waitMs = decision.waitMs;
    this.reason = decision.reason;
  }
}

/**
 * A tenant's API budget: fed by every response's `Sforce-Limit-Info`, consulted before new work starts.
 * Readings are kept locally at once (so this process stops immediately) and in the shared store.
 */
export class ApiBudget {
  readonly tenant: string;
  /** Share (0..1] of the daily limit LeadBridge may use. */
  readonly share: number;
  private readonly store: BudgetStore;
  private readonly now: () => number;
  private local: BudgetState | null = null;
  private readonly pending = new Set<Promise<void>>();

  constructor(options: { tenant: string; share: number; store: BudgetStore; now?: () => number }) {
    this.tenant = options.tenant;
    this.share = options.share;
    this.store = options.store;
    this.now = options.now ?? Date.now;
  }

  /** Called for every response that carried `Sforce-Limit-Info`. */
  observe(used: number, limit: number): void {
    const at = this.now();
    this.local = { used, limit, observedAt: at, pausedUntil: this.local?.pausedUntil ?? 0 };
    this.track(this.store.observe(this.tenant, used, limit, at));
  }

  /** Called on REQUEST_LIMIT_EXCEEDED: nothing new starts until the pause ends and a probe finds room. */
  limitExceeded(): void {
    const until = this.now() + LIMIT_EXCEEDED_PAUSE_MS;
    const base = this.local ?? { used: 0, limit: 1, observedAt: this.now(), pausedUntil: 0 };
    this.local = { ...base, used: Math.max(base.used, base.limit), pausedUntil: until };
    this.track(this.store.pause(this.tenant, until));
  }

  /** Whether new work may start; merges this process's readings with the other workers'. */
  async decide(): Promise<BudgetDecision> {
    await this.flush();
    const shared = await this.store.get(this.tenant);
    return budgetDecision(newest(this.local, shared), this.share, this.now());
  }

  /** Last known reading (for `doctor` and the metrics). */
  async state(): Promise<BudgetState | null> {
    await this.flush();
    return newest(this.local, await this.store.get(this.tenant));
  }

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private track(promise: Promise<void>): void {
    const tracked = promise.catch(() => {}).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

function newest(a: BudgetState | null, b: BudgetState | null): BudgetState | null {
  if (!a) return b;
  if (!b) return a;
  const reading = a.observedAt >= b.observedAt ? a : b;
  return { ...reading, pausedUntil: Math.max(a.pausedUntil, b.pausedUntil) };
}
