import { describe, expect, it } from 'vitest';
import {
  INGEST_JOB_MAX_EVENTS,
  ingestBatchJobId,
  ingestJobId,
  ingestJobs,
  ROUTINE_INGEST_PRIORITY,
} from '../../../jobs/ingest-queue.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';

function change(objectId: string, fields: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    tenant: 'acme',
    system: 'hubspot',
    objectId,
    occurredAt: '2026-12-01T00:00:00.000Z',
    kind: 'updated',
    source: 'webhook',
    dedupKey: `62515/contact.propertyChange/${objectId}/1/1`,
    ...fields,
  };
}

describe('ingestJobs', () => {
  it('puts a delivery’s events in one job per lane, the rep lane’s unprioritized, a big page in several', () => {
    const routine = Array.from({ length: 2 * INGEST_JOB_MAX_EVENTS + 50 }, (_, i) => change(String(i)));
    const outbound = change('00Q000000000001AAA', { system: 'salesforce', source: 'outbound_message' });
    const jobs = ingestJobs([...routine.slice(0, 10), outbound, ...routine.slice(10)]);
    expect(jobs.map((job) => [job.data.events.length, job.opts.priority])).toEqual([
      [1, undefined],
      [INGEST_JOB_MAX_EVENTS, ROUTINE_INGEST_PRIORITY],
      [INGEST_JOB_MAX_EVENTS, ROUTINE_INGEST_PRIORITY],
      [50, ROUTINE_INGEST_PRIORITY],
    ]);
    expect(jobs.flatMap((job) => job.data.events).slice(1)).toEqual(routine);
    expect(jobs[0]!.opts.jobId).toBe(ingestJobId(outbound));
    expect(jobs[1]!.name).toBe('hubspot-events');
  });

  it('names a job by its events’ identities: the same events give the same id, other events another', () => {
    const delivery = [change('1'), change('2'), change('3')];
    expect(ingestBatchJobId(delivery)).toBe(ingestBatchJobId([...delivery].reverse()));
    expect(ingestBatchJobId(delivery)).toMatch(/^evs-[0-9a-f]{40}$/);
    expect(ingestBatchJobId(delivery)).not.toBe(ingestBatchJobId(delivery.slice(0, 2)));
    expect(ingestBatchJobId(delivery)).not.toBe(
      ingestBatchJobId([...delivery.slice(0, 2), change('3', { dedupKey: 'other' })]),
    );
    expect(ingestBatchJobId([change('1')])).toBe(ingestJobId(change('1')));
  });

  it('refuses a delivery with an invalid event', () => {
    expect(() => ingestJobs([change('1'), change('')])).toThrow();
  });
});
