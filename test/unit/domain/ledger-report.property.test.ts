import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLedgerReport } from '../../../src/domain/ledger-report.ts';
import { config, person, Story } from './lead-story.ts';

const SECOND = 1000;
const HOUR = 3_600_000;
const BASE_MS = Date.parse('2026-01-05T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('follow-up figures from the ledger, whatever the stamps precision', () => {
  it('measures every rep answer at or after the handoff second, 0 s within it, and judges the SLA by it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 2 * HOUR }),
        fc.constantFrom<'sql' | 'rejected'>('sql', 'rejected'),
        (handoffOffsetMs, answerAfterMs, answer) => {
          const handoffMs = BASE_MS + handoffOffsetMs;
          // Salesforce keeps the rep's edit to the whole second.
          const stampMs = Math.floor((handoffMs + answerAfterMs) / SECOND) * SECOND;
          const story = new Story({ ...person, stage: 'lead', points: 'x' });
          story.pass(iso(handoffMs));
          story.pass(iso(handoffMs + answerAfterMs + 500), {
            salesforceEdit:
              answer === 'sql' ? { stage: 'sql' } : { stage: 'rejected', rejectionReason: 'No fit' },
            modifiedAt: iso(stampMs),
          });
          const figures = buildLedgerReport({
            tenants: [{ tenant: 'acme', leads: [{ leadKey: 'lead', entries: story.entries }] }],
            lifecycle: config.lifecycle,
            sla: config.sla,
            now: new Date(handoffMs + 3 * HOUR),
          }).tenants[0]!;
          const dueMs = Math.ceil((handoffMs + HOUR) / SECOND) * SECOND;
          const late = stampMs > dueMs;
          expect(figures.followUp).toMatchObject({
            measured: 1,
            alreadyWorkedWhenSeen: 0,
            averageMs: Math.max(0, stampMs - handoffMs),
            withinSla: late ? 0 : 1,
          });
          expect(figures.sla.followUpBreaches).toBe(late ? 1 : 0);
        },
      ),
    );
  });
});
