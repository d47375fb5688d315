// `npm run bench`: every figure of issue #11 against the emulators, each as ours / bound (from the APIs'
// caps) or ours / baseline (measured in the same run), median and min-max over BENCH_RUNS repetitions,
// with its target and PASS/FAIL. Exits 1 when any target is missed (or a scenario failed), 2 on bad
// settings. Writes the whole result as JSON to BENCH_RESULTS (default bench/results/latest.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureBackfill, type BackfillMeasure } from './backfill-run.ts';
import { rateLimitBoundSeconds } from './bounds.ts';
import {
  FIXED_DEBOUNCE_BASELINE,
  frontierSettings,
  measureChangeLatency,
  type LatencyMeasure,
} from './change-latency.ts';
import {
  evaluate,
  exitCode,
  formatTable,
  type FigureResult,
  type FigureSpec,
  type Sample,
} from './figures.ts';
import { rejectionSeconds } from './rejection-latency.ts';
import { benchSizes, selectScenarios, type BenchSizes, type Scenario } from './sizes.ts';
import { MAX_REDIS_BYTES_PER_LEAD, MAX_RSS_MB, SPECS } from './specs.ts';
import { measureWebhookIngest } from './webhook-ingest.ts';
import { drainSeconds } from './worker-scaling.ts';

interface Collected {
  results: FigureResult[];
  details: Record<string, unknown>;
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Runs `measure` `runs` times; a failure stops the repetitions and is returned beside what was measured. */
async function repeat<T>(runs: number, name: string, measure: (run: number) => Promise<T>) {
  const values: T[] = [];
  let error: string | undefined;
  for (let run = 0; run < runs; run += 1) {
    log(`${name}: run ${run + 1} of ${runs}`);
    try {
      values.push(await measure(run));
    } catch (caught) {
      error = caught instanceof Error ? caught.message.slice(0, 2000) : String(caught);
      log(`${name}: failed: ${error}`);
      break;
    }
  }
  return { values, error };
}

function figure(spec: FigureSpec, samples: Sample[], error: string | undefined, note?: string) {
  // A partial set of runs still reports what it measured, but the figure fails: it is not the median of all.
  return evaluate(spec, samples, { ...(error ? { error } : {}), ...(note ? { note } : {}) });
}

async function backfillFigures(sizes: BenchSizes, out: Collected): Promise<void> {
  const { values, error } = await repeat(sizes.runs, 'backfill', (run) =>
    measureBackfill({ ...sizes.backfill, burstPer10s: sizes.burstPer10s, name: `backfill${run}` }),
  );
  out.details.backfill = values;
  const runError = error;
  const each = (pick: (value: BackfillMeasure) => Sample) => values.map(pick);
  // Records the backfill parked (exit 1) are the product's per-record outcome, reported, not a bench error.
  const what = `${sizes.backfill.contacts} contacts + ${sizes.backfill.leads} leads, records failed per run: ${values.map((v) => v.failures).join(', ')}`;
  out.results.push(
    figure(
      SPECS.salesforceCalls,
      each((v) => ({ ours: v.salesforce.calls, reference: v.salesforce.bound })),
      runError,
      what,
    ),
    figure(
      SPECS.hubspotCalls,
      each((v) => ({ ours: v.hubspot.calls, reference: v.hubspot.bound })),
      runError,
      what,
    ),
    figure(
      SPECS.backfillSeconds,
      each((v) => ({
        ours: v.seconds,
        reference: rateLimitBoundSeconds(v.hubspot.bound, sizes.burstPer10s),
      })),
      runError,
    ),
    figure(
      SPECS.backfill429s,
      each((v) => ({ ours: v.hubspot.rateLimited, reference: 0 })),
      runError,
    ),
    figure(
      SPECS.redisBytes,
      each((v) => ({ ours: v.redisBytes / v.leads, reference: MAX_REDIS_BYTES_PER_LEAD })),
      runError,
      'MEMORY USAGE of every key under the run prefix (queues, links, ledger, state) / distinct emails',
    ),
  );
}

async function scalingFigure(sizes: BenchSizes, out: Collected): Promise<void> {
  const { contacts, latencyMs, ioBoundLatencyMs } = sizes.scaling;
  for (const [spec, latency] of [
    [SPECS.workerScaling, latencyMs],
    [SPECS.workerScalingIoBound, ioBoundLatencyMs],
  ] as const) {
    const { values, error } = await repeat(sizes.runs, `scaling ${latency} ms`, async () => {
      const one = await drainSeconds({ workers: 1, contacts, latencyMs: latency });
      const two = await drainSeconds({ workers: 2, contacts, latencyMs: latency });
      const load = loadavg()[0]!.toFixed(2);
      for (const [n, drain] of [
        [1, one],
        [2, two],
      ] as const)
        log(
          `scaling ${latency} ms: ${n} worker(s) ${drain.seconds.toFixed(2)} s, ${drain.calls.perSecond} calls/s, batches in flight peak ${drain.inFlight.peak} mean ${drain.inFlight.mean}, CPU ms workers ${drain.cpuMs.workers.join('/')} server ${drain.cpuMs.server} bench ${drain.cpuMs.bench}, load ${load}`,
        );
      return { one, two, load };
    });
    out.details[`scaling${latency}ms`] = values;
    out.results.push(
      figure(
        spec,
        values.map((v) => ({ ours: contacts / v.two.seconds, reference: contacts / v.one.seconds })),
        error,
        `${contacts} changed contacts written back, latency ${latency} ms; seconds 1 worker ${values.map((v) => v.one.seconds.toFixed(2)).join(', ')}; 2 workers ${values.map((v) => v.two.seconds.toFixed(2)).join(', ')}; load average ${values.map((v) => v.load).join(', ')}`,
      ),
    );
  }
}

async function latencyFigures(sizes: BenchSizes, out: Collected): Promise<void> {
  const { values, error } = await repeat(sizes.runs, 'change latency', async (run) => {
    const ours = await measureChangeLatency({ ...sizes.latency, extra: '', name: `latency${run}` });
    const baseline = await measureChangeLatency({
      ...sizes.latency,
      extra: FIXED_DEBOUNCE_BASELINE,
      name: `latency${run}base`,
    });
    const frontier: Array<{ extra: string } & LatencyMeasure> = [];
    for (const [index, extra] of frontierSettings(process.env.BENCH_LATENCY_FRONTIER).entries()) {
      const measure = await measureChangeLatency({ ...sizes.latency, extra, name: `latency${run}f${index}` });
      log(
        `change latency, ${extra}: p50 ${measure.p50.toFixed(2)} s, p99 ${measure.p99.toFixed(2)} s, ${measure.callsPerEdit.toFixed(3)} calls/edit`,
      );
      frontier.push({ extra, ...measure });
    }
    return { ours, baseline, frontier };
  });
  out.details.latency = values;
  const pick = (key: keyof Omit<LatencyMeasure, 'callsByEndpoint'>) =>
    values.map((v) => ({ ours: v.ours[key], reference: v.baseline[key] }));
  out.results.push(
    figure(SPECS.changeP50, pick('p50'), error),
    figure(SPECS.changeP99, pick('p99'), error),
    figure(SPECS.changeCalls, pick('callsPerEdit'), error),
  );
}

async function webhookFigure(sizes: BenchSizes, out: Collected): Promise<void> {
  const { values, error } = await repeat(1, 'webhook ingest', () =>
    measureWebhookIngest({ rounds: sizes.runs, ...sizes.webhook }),
  );
  const samples = values.flat();
  out.details.webhook = samples;
  out.results.push(
    figure(
      SPECS.webhookIngest,
      samples.map((s) => ({ ours: s.route, reference: s.bare })),
      error,
      `autocannon, ${sizes.webhook.connections} connections, ${sizes.webhook.seconds} s per round, rounds alternate`,
    ),
  );
}

async function rejectionFigure(sizes: BenchSizes, out: Collected): Promise<void> {
  const { values, error } = await repeat(sizes.runs, 'rejection', (run) =>
    rejectionSeconds({
      contacts: sizes.rejection.contacts,
      burstPer10s: sizes.burstPer10s,
      name: `reject${run}`,
    }),
  );
  out.details.rejection = values;
  out.results.push(
    figure(
      SPECS.rejection,
      values.map((seconds) => ({ ours: seconds, reference: 2 })),
      error,
      `backfill of ${sizes.rejection.contacts} contacts at ${sizes.burstPer10s} calls/10 s`,
    ),
  );
}

async function rssFigure(sizes: BenchSizes, out: Collected): Promise<void> {
  // One run: the large backfill is the slowest scenario, and peak memory varies little between runs.
  const { values, error } = await repeat(1, 'rss', () =>
    measureBackfill({ contacts: sizes.rssContacts, leads: 1, burstPer10s: 0, name: 'rss', handoffs: false }),
  );
  out.details.rss = values;
  const failed = values.find((value) => value.exitCode !== 0 && value.exitCode !== 1);
  out.results.push(
    figure(
      SPECS.backfillRss,
      values.map((v) => ({ ours: v.peakRssBytes / 1024 / 1024, reference: MAX_RSS_MB })),
      error ?? (failed ? `leadbridge backfill exited ${failed.exitCode}` : undefined),
      `leadbridge backfill of ${sizes.rssContacts} contacts (HubSpot burst limit off), VmHWM`,
    ),
  );
}

const RUNNERS: Record<Scenario, (sizes: BenchSizes, out: Collected) => Promise<void>> = {
  backfill: backfillFigures,
  scaling: scalingFigure,
  latency: latencyFigures,
  webhook: webhookFigure,
  rejection: rejectionFigure,
  rss: rssFigure,
};

async function main(): Promise<number> {
  let settings: { name: string; sizes: BenchSizes };
  let scenarios: Scenario[];
  try {
    settings = benchSizes(process.env);
    scenarios = selectScenarios(process.env.BENCH_ONLY);
    frontierSettings(process.env.BENCH_LATENCY_FRONTIER);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const { name, sizes } = settings;
  const startedAt = new Date();
  log(
    `size ${name} (BENCH_SIZE=small for a quick run), ${sizes.runs} run(s) per figure: ${scenarios.join(', ')}`,
  );
  const out: Collected = { results: [], details: {} };
  for (const scenario of scenarios) await RUNNERS[scenario](sizes, out);

  const code = exitCode(out.results);
  process.stdout.write(
    `LeadBridge benchmark (${name}); median (min-max) over runs\n\n${formatTable(out.results)}\n\n`,
  );
  for (const result of out.results) {
    if (result.error) process.stdout.write(`- ${result.title}: ERROR ${result.error.split('\n')[0]}\n`);
    else if (result.note) process.stdout.write(`- ${result.title}: ${result.note}\n`);
  }
  const failed = out.results.filter((result) => !result.pass).length;
  process.stdout.write(
    `\n${failed === 0 ? 'every target met' : `${failed} of ${out.results.length} targets missed`}\n`,
  );
  const file = process.env.BENCH_RESULTS ?? fileURLToPath(new URL('./results/latest.json', import.meta.url));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        size: name,
        sizes,
        startedAt: startedAt.toISOString(),
        seconds: (Date.now() - startedAt.getTime()) / 1000,
        pass: code === 0,
        figures: out.results,
        details: out.details,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`results: ${file}\n`);
  return code;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main();
