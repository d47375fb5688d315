import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its starting size (1 MB semi-spaces) for the rest of the process.
 *
 * A backfill's live set is one reconcile batch: at most 58 MB with batches of 2,000 records and 125 MB
 * with 10,000 (measured with a full GC every 2 s; 45 MB between batches, the same at the end as at the
 * start). By default V8 grows the young generation to 64 MB semi-spaces (128 MB resident) as soon as a
 * batch's records survive scavenges, and the old space grows to several times the live set before a full
 * GC: 757 MB peak through 100k contacts; 448 MB with this setting (batches of 10,000).
 * No limit is set: a larger live set still gets the heap it needs (never an out-of-memory exit).
 *
 * `--semi-space-growth-factor` is read at each growth decision, so it takes effect when set at run time;
 * call this first, before the command's modules load. Long-running commands (serve, worker) keep V8's
 * defaults: their throughput targets want the larger young generation.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
