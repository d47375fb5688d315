// `npm run bench`: LeadBridge's efficiency figures as ratios against a bound or a baseline measured in the
// same run (the machines are shared and noisy, so bare times would mean little).
import { hubspotScenarios, salesforceScenarios } from './connector-calls.ts';
import { formatTable, type ScenarioResult } from './scenario.ts';
import { webhookIngestScenario } from './webhook-ingest.ts';

const size = process.env.BENCH_SIZE === 'small' ? 'small' : 'full';
const counts =
  size === 'small'
    ? { contacts: 500, massUpdate: 2_000, leads: 500, batches: 5 }
    : { contacts: 5_000, massUpdate: 20_000, leads: 2_000, batches: 40 };

const results: ScenarioResult[] = [
  ...(await hubspotScenarios(counts.contacts, counts.massUpdate)),
  ...(await salesforceScenarios(counts.leads)),
  await webhookIngestScenario(counts.batches),
];
process.stdout.write(
  `LeadBridge benchmark (${size}; BENCH_SIZE=small for a quick run)\n\n${formatTable(results)}\n`,
);
for (const result of results) if (result.note) process.stdout.write(`- ${result.name}: ${result.note}\n`);
