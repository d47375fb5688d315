import { UnrecoverableError } from 'bullmq';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toClassifiedError } from '../../../connectors/hubspot/classify.ts';
import { HubSpotConnector } from '../../../connectors/hubspot/connector.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/index.ts';
import { pollProcessor } from '../../../jobs/poll-processor.ts';
import { reconcileProcessor } from '../../../jobs/reconcile-processor.ts';
import { RECOVERY_SLOT_MS, type ScheduleOptions } from '../../../jobs/reconcile-queue.ts';
import { PermanentError } from '../../../src/errors/permanent-error.ts';
import { postJson } from '../../helpers/emulators.ts';
import { hubspotConfig } from '../hubspot/helpers.ts';
import { recordingBatch, startEngineHarness, TENANT, useConnectors } from './engine-harness.ts';

const APP = { clientId: 'cid-park', clientSecret: 'secret-park', refreshToken: 'rt-park' };
const PARKED = /BAD_REFRESH_TOKEN: .*missing or invalid refresh token.*re-authorize the app/;

describe('a revoked HubSpot install parks the jobs that need it, with the cause and the fix', () => {
  const harness = startEngineHarness('oauth-park');
  let emulator: HubSpotEmulator;
  let hubspot: HubSpotConnector;
  afterAll(() => harness.close());
  beforeEach(async () => {
    emulator = await startHubSpotEmulator({ seed: 4, contacts: 3, oauth: APP });
    const config = hubspotConfig(emulator.url, { accessToken: undefined, oauth: APP });
    hubspot = new HubSpotConnector(config.tenants[0]!, config);
    useConnectors(harness, { hubspot });
    await postJson(`${emulator.url}/__emulator/oauth`, { revokeRefreshToken: true });
  });
  afterEach(() => emulator.close());

  it('a poll job fails unrecoverably (no retries spent on the token endpoint)', async () => {
    const process = pollProcessor({
      engine: harness.engine,
      ingestQueue: { addBulk: async () => [] } as never,
      pollQueue: { add: async () => undefined as never } as never,
    });
    const parked = await process({ data: { tenant: TENANT, system: 'hubspot' } } as never).catch(
      (err: unknown) => err,
    );
    expect(parked).toBeInstanceOf(UnrecoverableError);
    expect((parked as Error).message).toMatch(PARKED);
    expect(emulator.oauth?.refreshes).toBe(0);
  });

  it('the jobs that follow park with the same cause without asking the token endpoint again', async () => {
    const process = pollProcessor({
      engine: harness.engine,
      ingestQueue: { addBulk: async () => [] } as never,
      pollQueue: { add: async () => undefined as never } as never,
    });
    const job = { data: { tenant: TENANT, system: 'hubspot' } } as never;
    const parked = [];
    for (let i = 0; i < 5; i++) parked.push(await process(job).catch((err: unknown) => err));
    for (const each of parked) expect((each as Error).message).toMatch(PARKED);
    // HubSpot counts error answers against an app (under 5 % of its calls for marketplace apps): a
    // revoked install is asked once, not by every recovery job every 10 s on every shard.
    expect(emulator.oauth?.refusals).toBe(1);
  });

  it('a reconcile job fails unrecoverably and leaves its records pending', async () => {
    const ids = [...emulator.store.contacts.keys()];
    await harness.pending.add(
      TENANT,
      ids.map((id) => ({ system: 'hubspot' as const, id })),
      Date.now() - 1_000,
    );
    const batch = recordingBatch(async (refs) => {
      await hubspot.read(refs.map((ref) => ref.id));
    });
    const scheduled: Array<{ delayMs: number; options?: ScheduleOptions }> = [];
    const process = reconcileProcessor({
      engine: harness.engine,
      pending: harness.pending,
      reconcileBatch: batch,
      schedule: async (_tenant, delayMs, options) => {
        scheduled.push({ delayMs, ...(options ? { options } : {}) });
      },
    });
    const parked = await process({ data: { tenant: TENANT, shard: 0 }, opts: {} } as never).catch(
      (err: unknown) => err,
    );
    expect(batch.calls).toHaveLength(1);
    expect(parked).toBeInstanceOf(UnrecoverableError);
    expect((parked as Error).message).toMatch(PARKED);
    expect(await harness.pending.count(TENANT)).toBe(ids.length);
    // No retry comes for a failed job: a recovery slot's job looks for the records put back.
    expect(scheduled).toEqual([{ delayMs: RECOVERY_SLOT_MS, options: { shard: 0, recovery: true } }]);
  });
});

describe('a whole job failing with an error that is not tenant-wide keeps the backoff', () => {
  const harness = startEngineHarness('unexpected-retry');
  afterAll(() => harness.close());
  /** What classify() makes of a failure without an HTTP status: permanent, code UNEXPECTED. */
  const unexpected = () => toClassifiedError(new Error('socket closed mid-answer'), 'POST batch/read');

  it('a reconcile job throws the error as it is, for a retry, with its records pending', async () => {
    const error = unexpected();
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('UNEXPECTED');
    await harness.pending.add(TENANT, [{ system: 'hubspot', id: 'u1' }], Date.now() - 1_000);
    const batch = recordingBatch(async () => {
      throw error;
    });
    const process = reconcileProcessor({
      engine: harness.engine,
      pending: harness.pending,
      reconcileBatch: batch,
      schedule: async () => {},
    });
    const thrown = await process({ data: { tenant: TENANT, shard: 0 }, opts: {} } as never).catch(
      (err: unknown) => err,
    );
    expect(batch.calls).toHaveLength(1);
    expect(thrown).toBe(error);
    expect(thrown).not.toBeInstanceOf(UnrecoverableError);
    expect(await harness.pending.count(TENANT)).toBe(1);
  });

  it('a poll job throws the error as it is, for a retry', async () => {
    const error = unexpected();
    useConnectors(harness, {
      hubspot: {
        poll: async () => {
          throw error;
        },
      },
    });
    const process = pollProcessor({
      engine: harness.engine,
      ingestQueue: { addBulk: async () => [] } as never,
      pollQueue: { add: async () => undefined as never } as never,
    });
    const thrown = await process({ data: { tenant: TENANT, system: 'hubspot' } } as never).catch(
      (err: unknown) => err,
    );
    expect(thrown).toBe(error);
    expect(thrown).not.toBeInstanceOf(UnrecoverableError);
  });
});
