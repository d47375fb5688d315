import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function number(output: string, pattern: RegExp): number {
  const match = output.match(pattern);
  if (!match?.[1]) throw new Error(`${pattern} not in the output:\n${output}`);
  return Number(match[1]);
}

describe('leadbridge demo (built CLI, not a terminal)', () => {
  it('plays the whole story through the product, prints the summary, exits 0 and leaves no keys behind', async () => {
    // Speed is not asserted here (timed tests flake on shared machines); the run must only finish.
    const result = await runCli(['demo', '--port', '0'], { REDIS_URL }, 110_000);
    const { stdout } = result;
    expect(result.code, stdout + result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/"level":(40|50|60)|^\d\d:\d\d:\d\d (warn|error|fatal)/m);

    // Plain lines only: no spinner, no cursor movement, no colour.
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).not.toContain('✘');

    // Set-up, then an initial sync that really reconciled the seeded records without failures.
    expect(stdout).toMatch(/✔ start the HubSpot and Salesforce emulators: .*\(60 contacts\).*\(20 leads\)/);
    const reconciled = number(stdout, /initial sync: .*: (\d+) leads reconciled/);
    expect(reconciled).toBeGreaterThanOrEqual(70);
    expect(stdout).toMatch(/initial sync: .*; 0 failures/);
    expect(number(stdout, /Salesforce \d+ written \((\d+) created\)/)).toBeGreaterThan(0);

    // The story, each outcome read back from the emulators after LeadBridge acted on it.
    expect(stdout).toMatch(
      /✔ Dana Reyes signs up on the website: Dana Reyes \(score 40\) is below the MQL threshold 50: stays with marketing, not sent to Salesforce/,
    );
    expect(stdout).toMatch(
      /✔ Dana Reyes requests a demo: Dana Reyes \(score 70\) passed the handoff gate -> created in Salesforce as Open - Not Contacted, owner Ana Alvarez \(round_robin: round robin slot 1\) \(seen by HubSpot webhook\)/,
    );
    expect(stdout).toMatch(
      /✔ Lee Park .*: Lee Park \(score 75\) blocked: missing: company; stays with marketing \(\d+\.\d s\)\n/,
    );
    expect(stdout).toMatch(
      /✔ Sam Ortiz requests a demo: Sam Ortiz \(score 85\) passed the handoff gate -> created in Salesforce as Open - Not Contacted, owner Ben Baker/,
    );
    expect(stdout).toMatch(
      /rep worked Dana Reyes: Working - Contacted -> HubSpot lifecycle stage salesqualifiedlead, LeadBridge stage sql \(seen by Salesforce outbound message\)/,
    );
    expect(stdout).toMatch(
      /rep rejected Sam Ortiz: 'No budget this year' -> HubSpot shows leadbridge_rejection_reason 'No budget this year', lead status UNQUALIFIED/,
    );

    // The owners picked and the notifications sent, as the local receiver got them (signatures checked).
    expect(stdout).toMatch(
      /webhook lead_handed_off: Dana Reyes, owner Ana Alvarez {2}\[signature verified\]/,
    );
    expect(stdout).toMatch(/webhook lead_handed_off: Sam Ortiz, owner Ben Baker {2}\[signature verified\]/);
    expect(stdout).toMatch(
      /webhook lead_rejected: Sam Ortiz, owner Ben Baker \('No budget this year'\) {2}\[signature verified\]/,
    );
    expect(stdout).toMatch(
      /slack +\*New lead for you\*: Dana Reyes \(Brightwave Analytics\) was handed to Ana Alvarez/,
    );
    expect(stdout).not.toMatch(/BAD SIGNATURE/);
    expect(stdout).toMatch(/notified +lead_handed_off via salesforce_task: sent/);

    // The trails come from the audit store, and agree with the story.
    expect(stdout).toMatch(
      /decision +stays lead by leadbridge, rule handoff_blocked: handoff gate: missing: company/,
    );
    expect(stdout).toMatch(
      /decision +mql -> rejected by salesforce, rule explicit_reject: .*No budget this year/,
    );
    expect(stdout).toMatch(/Lee Park \(lb_[0-9a-z]+; HubSpot \d+\)\n/);

    // The summary's figures are plausible: every contact synced, a few API calls per lead.
    const synced = number(stdout, /leads synced: +(\d+)/);
    const contacts = number(stdout, /leads synced: +\d+ \(HubSpot (\d+) contacts/);
    expect(synced).toBe(contacts);
    expect(synced).toBeGreaterThanOrEqual(63);
    const perLead = number(stdout, /= ([\d.]+) per lead/);
    expect(perLead).toBeGreaterThan(0);
    expect(perLead).toBeLessThan(3);
    expect(number(stdout, /SLA clocks: +(\d+) running/)).toBeGreaterThanOrEqual(1);
    expect(stdout).toMatch(
      /report: +http:\/\/127\.0\.0\.1:\d+\/report \(sign in with admin token [0-9a-f]{32}\)/,
    );
    expect(stdout).not.toMatch(/[?&]token=/);
    expect(stdout).toMatch(/npx leadbridge explain dana\.reyes@brightwave-analytics\.com --config \S+/);

    // It cleaned up after itself: nothing is left under its key prefix.
    const prefix = stdout.match(/keys under (leadbridge-demo-[0-9a-f]+):/)?.[1];
    expect(prefix).toBeDefined();
    const redis = new Redis(REDIS_URL);
    try {
      const [, keys] = await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 100_000);
      expect(keys).toEqual([]);
    } finally {
      await redis.quit();
    }
  }, 120_000);
});
