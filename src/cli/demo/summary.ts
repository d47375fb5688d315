import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { EmulatorControl, EmulatorCounts } from './emulator-control.ts';

export interface DemoFigures {
  /** HubSpot contacts carrying a LeadBridge score: every lead LeadBridge has reconciled. */
  leadsSynced: number;
  hubspotContacts: number;
  salesforceLeads: number;
  apiCalls: { hubspot: number; salesforce: number };
  apiCallsPerLead: number;
  /** Follow-up clocks: running (due later), breached. */
  slaClocks: { running: number; breached: number; nextDueAt: string | null };
  deliveries: { hubspotEvents: number; salesforceMessages: number };
}

/** The closing figures, read from the emulators' own records and stats, not from LeadBridge's counters. */
export function demoFigures(
  control: EmulatorControl,
  counts: EmulatorCounts,
  config: LeadBridgeConfig,
  now: Date,
): DemoFigures {
  const fields = config.customFields.hubspot;
  const contacts = control.contacts();
  const synced = contacts.filter((properties) => (properties[fields.score] ?? '') !== '');
  const clocks = contacts
    .map((properties) => ({
      dueAt: properties[fields.slaDueAt] ?? '',
      breached: properties[fields.slaBreached] === 'true',
    }))
    .filter((clock) => clock.dueAt !== '');
  const running = clocks.filter((clock) => !clock.breached && Date.parse(clock.dueAt) > now.getTime());
  const nextDueAt = running.map((clock) => clock.dueAt).sort()[0] ?? null;
  const calls = counts.hubspotCalls + counts.salesforceCalls;
  return {
    leadsSynced: synced.length,
    hubspotContacts: counts.hubspotContacts,
    salesforceLeads: counts.salesforceLeads,
    apiCalls: { hubspot: counts.hubspotCalls, salesforce: counts.salesforceCalls },
    apiCallsPerLead: synced.length === 0 ? 0 : calls / synced.length,
    slaClocks: {
      running: running.length,
      breached: clocks.filter((clock) => clock.breached).length,
      nextDueAt,
    },
    deliveries: control.deliveries(),
  };
}

export function formatSummary(
  figures: DemoFigures,
  links: { reportUrl: string; explain: string; keepRunning: boolean },
): string[] {
  const { slaClocks: sla } = figures;
  return [
    'Summary',
    `  leads synced:      ${figures.leadsSynced} (HubSpot ${figures.hubspotContacts} contacts, Salesforce ${figures.salesforceLeads} leads)`,
    `  API calls:         HubSpot ${figures.apiCalls.hubspot}, Salesforce ${figures.apiCalls.salesforce} = ${figures.apiCallsPerLead.toFixed(2)} per lead`,
    `  changes delivered: ${figures.deliveries.hubspotEvents} HubSpot webhook events, ${figures.deliveries.salesforceMessages} Salesforce outbound notifications`,
    `  SLA clocks:        ${sla.running} running${sla.nextDueAt ? ` (next follow-up due ${sla.nextDueAt})` : ''}, ${sla.breached} breached`,
    `  report:            ${links.reportUrl}`,
    `  try:               ${links.explain}`,
    ...(links.keepRunning ? [] : ['  (run with --keep-running to keep everything up and try these)']),
  ];
}
