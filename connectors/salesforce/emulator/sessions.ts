import { randomBytes } from 'node:crypto';

/**
 * Access tokens. By default any non-empty bearer token is accepted (as contract.md says) unless it was
 * expired; with a required token, only it and the tokens the token endpoint issued are valid.
 */
export class Sessions {
  private readonly required: string | undefined;
  private readonly issued = new Map<string, number>();
  private readonly expired = new Set<string>();
  private requiredExpired = false;
  ttlMs: number | undefined;
  private readonly now: () => number;

  constructor(options: { token?: string; now: () => number }) {
    this.required = options.token;
    this.now = options.now;
  }

  /** Issues a token like Salesforce's `<orgId>!<opaque>`. */
  issue(orgId: string): string {
    const token = `${orgId.slice(0, 15)}!${randomBytes(24).toString('base64url')}`;
    this.issued.set(token, this.ttlMs ? this.now() + this.ttlMs : Number.POSITIVE_INFINITY);
    return token;
  }

  isValid(token: string | undefined): boolean {
    if (!token) return false;
    if (this.expired.has(token)) return false;
    const expiry = this.issued.get(token);
    if (expiry !== undefined) return expiry > this.now();
    if (this.required !== undefined) return token === this.required && !this.requiredExpired;
    return true;
  }

  /** Every token seen or issued so far stops working; new ones from the token endpoint work. */
  expireAll(seen: Iterable<string>): void {
    for (const token of this.issued.keys()) this.expired.add(token);
    for (const token of seen) this.expired.add(token);
    this.issued.clear();
    this.requiredExpired = true;
  }

  reset(): void {
    this.issued.clear();
    this.expired.clear();
    this.requiredExpired = false;
    this.ttlMs = undefined;
  }
}
