/**
 * The org's API usage: a daily allocation over a rolling 24 hours (calls age out one by one), and call
 * counts by endpoint template and status for `GET /__emulator/stats`.
 * https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
 */
export class ApiUsage {
  /** Daily allocation (Developer Edition: 15,000; Enterprise: 100,000 plus per-licence adders). */
  limit: number;
  private calls: number[] = [];
  private offset = 0;
  private readonly counts = new Map<string, Map<number, number>>();
  private readonly now: () => number;

  constructor(limit: number, now: () => number) {
    this.limit = limit;
    this.now = now;
  }

  /** Calls in the last 24 hours (plus any usage set by a fault, standing for other integrations). */
  used(): number {
    const since = this.now() - 24 * 3_600_000;
    while (this.calls.length > 0 && (this.calls[0] as number) <= since) this.calls.shift();
    return this.calls.length + this.offset;
  }

  /** Takes one call from the allocation; false when none is left (REQUEST_LIMIT_EXCEEDED). */
  take(): boolean {
    if (this.used() >= this.limit) return false;
    this.calls.push(this.now());
    return true;
  }

  /** Sets usage as if other integrations had made `used` calls. */
  setUsed(used: number): void {
    this.calls = [];
    this.offset = Math.max(0, used);
  }

  /** Milliseconds until the oldest call of ours ages out (when the window frees one call). */
  freesInMs(): number {
    const oldest = this.calls[0];
    return oldest === undefined ? 0 : Math.max(0, oldest + 24 * 3_600_000 - this.now());
  }

  count(endpoint: string, status: number): void {
    const byStatus = this.counts.get(endpoint) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    this.counts.set(endpoint, byStatus);
  }

  stats(): { calls: Record<string, Record<string, number>>; total: number } {
    const calls: Record<string, Record<string, number>> = {};
    let total = 0;
    for (const [endpoint, byStatus] of this.counts) {
      calls[endpoint] = Object.fromEntries([...byStatus].map(([status, n]) => [String(status), n]));
      for (const n of byStatus.values()) total += n;
    }
    return { calls, total };
  }

  reset(): void {
    this.calls = [];
    this.offset = 0;
    this.counts.clear();
  }
}
