// How big each scenario is: `full` is the table (about 25 minutes on a 2-core machine; the RSS
// backfill is the 100k contacts there, BENCH_RSS_CONTACTS=50000 for a shorter run),
// `small` a quick check that the instrument works (a minute or two). Env overrides win over both.
import { z } from 'zod';

export const BenchSizes = z.strictObject({
  /** Repetitions of each scenario; figures report the median and min-max. */
  runs: z.number().int().min(1),
  backfill: z.strictObject({ contacts: z.number().int().min(1), leads: z.number().int().min(1) }),
  /** HubSpot calls per rolling 10 s during the backfill (the portal's tier). */
  burstPer10s: z.number().int().min(1),
  scaling: z.strictObject({
    contacts: z.number().int().min(1),
    /** Emulator latency of the figure (50 ms): CPU-bound on the 2-core bench machine. */
    latencyMs: z.number().int().min(0),
    /** Emulator latency at which the drain is I/O-bound (500 ms). */
    ioBoundLatencyMs: z.number().int().min(0),
  }),
  latency: z.strictObject({
    leads: z.number().int().min(1),
    editsPerSecond: z.number().min(1),
    seconds: z.number().min(1),
  }),
  webhook: z.strictObject({ seconds: z.number().int().min(1), connections: z.number().int().min(1) }),
  rejection: z.strictObject({ contacts: z.number().int().min(1) }),
  /** Contacts of the backfill whose process RSS is watched. */
  rssContacts: z.number().int().min(1),
});
export type BenchSizes = z.infer<typeof BenchSizes>;

const FULL: BenchSizes = {
  runs: 3,
  backfill: { contacts: 10_000, leads: 2_000 },
  burstPer10s: 190,
  scaling: { contacts: 2_000, latencyMs: 50, ioBoundLatencyMs: 500 },
  latency: { leads: 300, editsPerSecond: 50, seconds: 10 },
  webhook: { seconds: 5, connections: 10 },
  rejection: { contacts: 5_004 },
  rssContacts: 100_000,
};

const SMALL: BenchSizes = {
  runs: 1,
  backfill: { contacts: 1_000, leads: 200 },
  burstPer10s: 190,
  scaling: { contacts: 800, latencyMs: 50, ioBoundLatencyMs: 500 },
  latency: { leads: 100, editsPerSecond: 50, seconds: 3 },
  webhook: { seconds: 2, connections: 10 },
  rejection: { contacts: 1_500 },
  rssContacts: 2_000,
};

const whole = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`${name} must be a whole number of at least 1, got "${value}"`);
  return parsed;
};

/**
 * `BENCH_SIZE` (full | small, default full), then `BENCH_RUNS` and `BENCH_RSS_CONTACTS` on top.
 * Throws with the variable's name on a bad value.
 */
export function benchSizes(env: Record<string, string | undefined>): { name: string; sizes: BenchSizes } {
  const name = env.BENCH_SIZE ?? 'full';
  if (name !== 'full' && name !== 'small') throw new Error(`BENCH_SIZE must be full or small, got "${name}"`);
  const base = name === 'small' ? SMALL : FULL;
  const runs = whole('BENCH_RUNS', env.BENCH_RUNS);
  const rssContacts = whole('BENCH_RSS_CONTACTS', env.BENCH_RSS_CONTACTS);
  return {
    name,
    sizes: BenchSizes.parse({
      ...base,
      ...(runs ? { runs } : {}),
      ...(rssContacts ? { rssContacts } : {}),
    }),
  };
}

export const SCENARIOS = ['backfill', 'scaling', 'latency', 'webhook', 'rejection', 'rss'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** BENCH_ONLY=backfill,webhook runs only those scenarios (for working on one figure); unset: all. */
export function selectScenarios(only: string | undefined): Scenario[] {
  if (!only) return [...SCENARIOS];
  const names = only.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`BENCH_ONLY: unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  return names as Scenario[];
}
