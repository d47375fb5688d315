import type { RunningEmulators } from '../commands/emulate.ts';

/** Counts shown while the demo runs, read from the emulators' own `/__emulator/stats`. */
export interface EmulatorCounts {
  hubspotCalls: number;
  hubspotContacts: number;
  salesforceCalls: number;
  salesforceLeads: number;
}

async function call(url: string, method: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * What a person does in each product's UI, through the emulators' control routes over HTTP (the same
 * routes `leadbridge emulate` documents), and what the emulators report.
 */
export class EmulatorControl {
  readonly #emulators: RunningEmulators;

  constructor(emulators: RunningEmulators) {
    this.#emulators = emulators;
  }

  get hubspotUrl(): string {
    return this.#emulators.hubspot.url;
  }

  get salesforceUrl(): string {
    return this.#emulators.salesforce.url;
  }

  /** Someone creates a contact in HubSpot (or a form does): source CRM_UI, a webhook follows. */
  async createContact(properties: Record<string, string>): Promise<string> {
    const contact = (await call(`${this.hubspotUrl}/__emulator/contacts`, 'POST', { properties })) as {
      id: string;
    };
    return contact.id;
  }

  async editContact(id: string, properties: Record<string, string>): Promise<void> {
    await call(`${this.hubspotUrl}/__emulator/contacts/${id}`, 'PATCH', { properties });
  }

  /** The contact's current properties as HubSpot holds them. */
  async contact(id: string): Promise<Record<string, string | null>> {
    const contact = (await call(`${this.hubspotUrl}/__emulator/contacts/${id}`, 'GET')) as {
      properties: Record<string, string | null>;
    };
    return contact.properties;
  }

  /** A rep edits a lead in Salesforce: a status change sends an Outbound Message. */
  async editLead(id: string, edit: { Status?: string; Rejection_Reason__c?: string }): Promise<void> {
    await call(`${this.salesforceUrl}/__emulator/leads/${id}/edit`, 'POST', edit);
  }

  /** The Salesforce lead with this email, if there is one (the org's own data, not LeadBridge's). */
  findLead(email: string): Record<string, unknown> | undefined {
    const wanted = email.toLowerCase();
    return this.#emulators.salesforce.state.store
      .rows('Lead')
      .find((lead) => !lead.IsDeleted && String(lead.Email ?? '').toLowerCase() === wanted);
  }

  /** The Salesforce leads as they stand, with their SystemModstamp (see `ingestExistingRecords`). */
  salesforceLeads(): Array<{ id: string; modifiedAt: string }> {
    return this.#emulators.salesforce.state.store
      .rows('Lead')
      .filter((lead) => !lead.IsDeleted && !lead.IsConverted)
      .map((lead) => ({
        id: String(lead.Id),
        modifiedAt: new Date(String(lead.SystemModstamp)).toISOString(),
      }));
  }

  /** Every live HubSpot contact's properties (for the closing summary). */
  contacts(): Array<Record<string, string | null | undefined>> {
    return [...this.#emulators.hubspot.store.contacts.values()]
      .filter((contact) => !contact.archived)
      .map((contact) => contact.properties);
  }

  async counts(): Promise<EmulatorCounts> {
    const [hubspot, salesforce] = (await Promise.all([
      call(`${this.hubspotUrl}/__emulator/stats`, 'GET'),
      call(`${this.salesforceUrl}/__emulator/stats`, 'GET'),
    ])) as [
      { totalCalls: number; contacts: number },
      { apiUsage: { used: number }; records: { Lead: number } },
    ];
    return {
      hubspotCalls: hubspot.totalCalls,
      hubspotContacts: hubspot.contacts,
      salesforceCalls: salesforce.apiUsage.used,
      salesforceLeads: salesforce.records.Lead,
    };
  }

  /** Webhook batches and outbound messages the emulators delivered to LeadBridge. */
  deliveries(): { hubspotEvents: number; salesforceMessages: number } {
    return {
      hubspotEvents: this.#emulators.hubspot.webhooks?.stats.deliveredEvents ?? 0,
      salesforceMessages: this.#emulators.salesforce.state.outbound?.stats.delivered ?? 0,
    };
  }
}
