import { describe, expect, it, vi } from 'vitest';
import { buildOutboundEnvelope } from '../../../connectors/salesforce/emulator/outbound-envelope.ts';
import { OutboundParsePool } from '../../../connectors/salesforce/parse-pool.ts';

const envelope = (notifications: number, fields = 1) =>
  Buffer.from(
    buildOutboundEnvelope({
      organizationId: '00D5g000004LBdgEAG',
      actionId: '04k5g000000CaSNAA0',
      baseUrl: 'https://x.my.salesforce.com',
      apiVersion: '62.0',
      notifications: Array.from({ length: notifications }, (_, i) => ({
        id: `04l5g00000C${String(i).padStart(4, '0')}AAV`,
        objectType: 'Lead',
        fields: {
          Id: `00Q5g00000b${String(i).padStart(4, '0')}EAS`,
          SystemModstamp: '2026-05-01T10:15:30.000Z',
          ...Object.fromEntries(Array.from({ length: fields }, (_, j) => [`F${j}__c`, 'v'])),
        },
      })),
    }),
  );

describe('OutboundParsePool', () => {
  it('parses off the event loop and answers only the stamps of each notification', async () => {
    const pool = new OutboundParsePool();
    const result = await pool.parse(envelope(2, 5));
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.message.notifications[0]).toEqual({
      notificationId: '04l5g00000C0000AAV',
      objectType: 'Lead',
      objectId: '00Q5g00000b0000EAS',
      fields: { SystemModstamp: '2026-05-01T10:15:30.000Z' },
    });
    await pool.close();
  });

  it('refuses at once when its queue is full', async () => {
    const pool = new OutboundParsePool({ maxQueued: 0 });
    const [first, second] = await Promise.all([pool.parse(envelope(1)), pool.parse(envelope(1))]);
    expect(first).toMatchObject({ ok: true });
    expect(second).toMatchObject({ ok: false, reason: 'busy' });
    await pool.close();
  });

  it('replaces a thread whose parse takes too long, and the next parse works', async () => {
    const pool = new OutboundParsePool({ timeoutMs: 5 });
    expect(await pool.parse(envelope(100, 400))).toMatchObject({ ok: false, reason: 'parse_timeout' });
    const relaxed = new OutboundParsePool();
    expect(await relaxed.parse(envelope(1))).toMatchObject({ ok: true });
    await Promise.all([pool.close(), relaxed.close()]);
  });

  it('starts its thread before the first message when told to, and the first parse uses it', async () => {
    const pool = new OutboundParsePool();
    pool.start();
    expect(pool.threadsStarted).toBe(1);
    await pool.ready();
    expect(await pool.parse(envelope(1))).toMatchObject({ ok: true });
    expect(pool.threadsStarted).toBe(1);
    await pool.close();
  });

  // A thread's start-up (loading the parser) took 1.4-3.1 s on a loaded machine, against 13 ms for the
  // parse: a rep's rejection that came after a quiet spell waited for it.
  it('keeps its thread between messages, however long the gap', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const pool = new OutboundParsePool();
      expect(await pool.parse(envelope(1))).toMatchObject({ ok: true });
      vi.advanceTimersByTime(60 * 60_000);
      expect(await pool.parse(envelope(1))).toMatchObject({ ok: true });
      expect(pool.threadsStarted).toBe(1);
      await pool.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts a fresh thread at once after replacing one that took too long', async () => {
    const pool = new OutboundParsePool({ timeoutMs: 5 });
    expect(await pool.parse(envelope(100, 400))).toMatchObject({ ok: false, reason: 'parse_timeout' });
    expect(pool.threadsStarted).toBe(2);
    await pool.ready();
    await pool.close();
  });

  it('starts no thread after it is closed', async () => {
    const pool = new OutboundParsePool();
    await pool.close();
    pool.start();
    expect(pool.threadsStarted).toBe(0);
    expect(await pool.parse(envelope(1))).toMatchObject({ ok: false, reason: 'busy' });
  });
});
