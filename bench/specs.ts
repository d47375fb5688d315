// Every figure of issue #11's table, with its target. Ratios are ours / bound (bounds from the APIs' caps,
// see bounds.ts) or ours / baseline (measured in the same run); absolute targets are checked on the value.
import type { FigureSpec } from './figures.ts';

export const MAX_REDIS_BYTES_PER_LEAD = 3 * 1024;
export const MAX_RSS_MB = 300;

export const SPECS = {
  salesforceCalls: {
    id: 'salesforce-calls',
    title: 'Salesforce API calls, backfill',
    unit: 'calls',
    reference: 'bound: 2,000/query page, 200/collection',
    target: { of: 'ratio', op: '<=', limit: 1.1 },
  },
  hubspotCalls: {
    id: 'hubspot-calls',
    title: 'HubSpot API calls, backfill',
    unit: 'calls',
    reference: 'bound: 100/page, 100/batch',
    target: { of: 'ratio', op: '<=', limit: 1.1 },
  },
  backfillSeconds: {
    id: 'backfill-wall-time',
    title: 'backfill wall time at 190 calls/10 s',
    unit: 's',
    reference: 'bound: HubSpot calls needed / 19 per s',
    target: { of: 'ratio', op: '<=', limit: 1.2 },
  },
  backfill429s: {
    id: 'backfill-429s',
    title: 'HubSpot 429s during that backfill',
    unit: '429s',
    reference: 'bound: 0',
    target: { of: 'value', op: '<=', limit: 0 },
  },
  workerScaling: {
    id: 'two-workers-vs-one',
    title: '2 worker processes vs 1, one tenant, latency 50 ms (the issue)',
    unit: 'contacts/s',
    reference: 'baseline: 1 worker process',
    target: { of: 'ratio', op: '>=', limit: 1.8 },
  },
  workerScalingIoBound: {
    id: 'two-workers-vs-one-io-bound',
    title: '2 worker processes vs 1, one tenant, I/O-bound (latency 500 ms)',
    unit: 'contacts/s',
    reference: 'baseline: 1 worker process',
    target: { of: 'ratio', op: '>=', limit: 1.8 },
  },
  changeP50: {
    id: 'change-latency-p50',
    title: 'change -> other system p50, 50 edits/s, defaults',
    unit: 's',
    reference: 'baseline: fixed debounce 2s',
    target: { of: 'value', op: '<=', limit: 0.5 },
  },
  changeP99: {
    id: 'change-latency-p99',
    title: 'change -> other system p99, 50 edits/s, defaults',
    unit: 's',
    reference: 'baseline: fixed debounce 2s',
    target: { of: 'value', op: '<=', limit: 1.5 },
  },
  changeCalls: {
    id: 'change-calls-per-edit',
    title: 'API calls per edit at 50 edits/s, defaults',
    unit: 'calls/edit',
    reference: 'baseline: fixed debounce 2s',
    target: { of: 'ratio', op: '<=', limit: 1.0 },
  },
  webhookIngest: {
    id: 'webhook-ingest',
    title: 'signed HubSpot webhook route, 10 events/request',
    unit: 'req/s',
    reference: 'baseline: bare express + addBulk',
    target: { of: 'ratio', op: '>=', limit: 0.9 },
  },
  rejection: {
    id: 'rejection-during-backfill',
    title: "rep's rejection during a backfill reaches HubSpot",
    unit: 's',
    reference: 'target: 2 s',
    target: { of: 'value', op: '<=', limit: 2 },
  },
  redisBytes: {
    id: 'redis-bytes-per-lead',
    title: 'Redis bytes per lead after the backfill',
    unit: 'bytes',
    reference: 'target: 3 KB',
    target: { of: 'value', op: '<=', limit: MAX_REDIS_BYTES_PER_LEAD },
  },
  backfillRss: {
    id: 'backfill-peak-rss',
    title: 'peak RSS of the backfill process, large backfill',
    unit: 'MB',
    reference: 'target: 300 MB',
    target: { of: 'value', op: '<=', limit: MAX_RSS_MB },
  },
} satisfies Record<string, FigureSpec>;
