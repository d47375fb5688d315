import { describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { buildStatus } from '../../../jobs/status/status-report.ts';
import { formatReport } from '../../../src/cli/commands/report-format.ts';
import { formatStatus } from '../../../src/cli/commands/status.ts';
import { reportPage } from '../../../src/server/report-page.ts';
import { loadReport } from '../../../src/store/report-leads.ts';
import {
  createContact,
  emailSequence,
  repCreatesLead as createLeadAsRep,
  qualifiedContact,
  TENANT,
  type Harness,
  useHarness,
} from './reconcile-harness.ts';

let h: Harness;
const email = emailSequence();

const repCreatesLead = (fields: Record<string, unknown>) => createLeadAsRep(h.salesforce, fields);

describe('duplicates and parked writes are listed by status and the report', () => {
  useHarness('identity-issues', (started) => (h = started));

  it('status (text and JSON) and the report (text, JSON, page) list them with ids and reasons, no email', async () => {
    const address = email('dup');
    const first = await repCreatesLead({ LastName: 'Original', Email: address });
    await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: first }]);
    const second = await repCreatesLead({ LastName: 'Second', Email: address });
    await reconcileBatch(h.deps, TENANT, [{ system: 'salesforce', id: second }]);
    const refusedAddress = email('refused');
    const refused = await createContact(h.hubspot, {
      ...qualifiedContact(refusedAddress),
      lastname: 'L'.repeat(100),
    });
    await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id: refused }]);
    const lead = await h.deps.links.find(TENANT, 'salesforce', first);
    const parkedLead = await h.deps.links.find(TENANT, 'hubspot', refused);

    const status = await buildStatus(h.redis, h.deps.config, {
      prefixes: { queue: h.prefix, store: `${h.prefix}:store`, connectors: `${h.prefix}:conn:` },
    });
    const tenant = status.tenants[0]!;
    expect(tenant.duplicates.count).toBe(1);
    expect(tenant.duplicates.records[0]).toMatchObject({
      system: 'salesforce',
      id: second,
      linkedTo: first,
      leadKey: lead?.leadKey,
    });
    expect(tenant.parked.count).toBe(1);
    expect(tenant.parked.records[0]).toMatchObject({
      system: 'salesforce',
      recordId: null,
      leadKey: parkedLead?.leadKey,
      code: 'STRING_TOO_LONG',
    });
    expect(status.total).toMatchObject({ duplicates: 1, parkedWrites: 1 });
    const text = formatStatus(status);
    expect(text).toContain('duplicates            1 record(s) never written to');
    expect(text).toContain(`salesforce ${second} (lead ${lead?.leadKey})`);
    expect(text).toContain('parked writes         1');
    expect(text).toContain('STRING_TOO_LONG');
    expect(JSON.stringify(tenant.duplicates)).not.toContain(address);

    const report = await loadReport(h.redis, h.deps.config, { prefix: `${h.prefix}:store` });
    expect(report.identity).toEqual([
      { tenant: TENANT, duplicates: tenant.duplicates, parked: tenant.parked },
    ]);
    const printed = formatReport(report);
    expect(printed).toContain(`salesforce ${second}`);
    expect(printed).toContain('parked writes         1');
    const page = reportPage(report);
    expect(page).toContain('Duplicates and parked writes');
    expect(page).toContain(second);
    expect(page).toContain('STRING_TOO_LONG');
  });
});
