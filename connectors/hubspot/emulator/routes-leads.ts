import type { Request } from 'express';
import { BATCH_MAX_INPUTS } from '../limits.ts';
import type { ApiRoute } from './api-router.ts';
import { badRequest, EmulatorError, invalidProperties } from './errors.ts';
import type { ContactStore } from './store.ts';

// The Leads object (0-136): a lead needs `hs_lead_name` and an association to an existing contact; it has
// its own pipeline (`hs_pipeline`, `hs_pipeline_stage`) and `hs_lead_disqualification_reason`.
// https://developers.hubspot.com/docs/api-reference/2026-03/crm/objects/leads/guide
// The association type id (578, lead to primary contact) and the default pipeline's stage ids are as we
// understand them, not from the material at hand.

export const LEAD_TO_CONTACT_ASSOCIATION = 578;
export const DEFAULT_LEAD_PIPELINE = 'lead-pipeline-id';
export const DEFAULT_LEAD_STAGES = [
  'new-stage-id',
  'attempting-stage-id',
  'connected-stage-id',
  'qualified-stage-id',
  'unqualified-stage-id',
] as const;

export interface StoredLead {
  id: string;
  contactId: string;
  properties: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

/** The portal's Lead records, each associated with one contact. */
export class LeadRecords {
  readonly leads = new Map<string, StoredLead>();
  #nextId = 73_000_000_001;

  reset(): void {
    this.leads.clear();
    this.#nextId = 73_000_000_001;
  }

  forContact(contactId: string): StoredLead[] {
    return [...this.leads.values()].filter((lead) => lead.contactId === contactId);
  }

  create(contactId: string, properties: Record<string, string>, at: number): StoredLead {
    const lead = {
      id: String(this.#nextId++),
      contactId,
      properties: { ...properties },
      createdAt: at,
      updatedAt: at,
    };
    lead.properties.hs_object_id = lead.id;
    this.leads.set(lead.id, lead);
    return lead;
  }
}

const WRITABLE = new Set([
  'hs_lead_name',
  'hs_pipeline',
  'hs_pipeline_stage',
  'hs_lead_disqualification_reason',
]);

function resource(lead: StoredLead) {
  return {
    id: lead.id,
    properties: lead.properties,
    createdAt: new Date(lead.createdAt).toISOString(),
    updatedAt: new Date(lead.updatedAt).toISOString(),
    archived: false,
  };
}

function inputsOf(req: Request): Array<Record<string, unknown>> {
  const inputs = (req.body as { inputs?: unknown } | undefined)?.inputs;
  if (!Array.isArray(inputs)) throw badRequest('Invalid input JSON: "inputs" is required');
  if (inputs.length > BATCH_MAX_INPUTS)
    throw badRequest(`Batch input limit exceeded: at most ${BATCH_MAX_INPUTS} inputs`, 'TOO_MANY_INPUTS');
  return inputs as Array<Record<string, unknown>>;
}

function checkProperties(properties: Record<string, unknown>): Record<string, string> {
  const problems: Array<{ name: string; message: string; error: string }> = [];
  for (const [name, value] of Object.entries(properties)) {
    if (!WRITABLE.has(name))
      problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
    else if (typeof value !== 'string')
      problems.push({ name, error: 'INVALID_TYPE', message: `${JSON.stringify(value)} is not a string` });
    else if (name === 'hs_pipeline_stage' && !(DEFAULT_LEAD_STAGES as readonly string[]).includes(value))
      problems.push({
        name,
        error: 'INVALID_OPTION',
        message: `${value} was not one of the allowed options: [${DEFAULT_LEAD_STAGES.join(', ')}]`,
      });
  }
  if (problems.length > 0) throw invalidProperties(problems);
  return properties as Record<string, string>;
}

export function leadRoutes(leads: LeadRecords, contacts: ContactStore): ApiRoute[] {
  return [
    {
      method: 'post',
      template: '/crm/v3/objects/leads/batch/create',
      handle: (req) => {
        const startedAt = new Date().toISOString();
        const planned = inputsOf(req).map((input) => {
          const properties = checkProperties((input.properties ?? {}) as Record<string, unknown>);
          if (!properties.hs_lead_name?.trim())
            throw invalidProperties([
              {
                name: 'hs_lead_name',
                error: 'REQUIRED_PROPERTY_MISSING',
                message: 'Property "hs_lead_name" is required when creating a lead.',
              },
            ]);
          const associations = (input.associations ?? []) as Array<{ to?: { id?: unknown } }>;
          const contactIds = associations.map((association) => String(association.to?.id ?? ''));
          if (contactIds.length === 0)
            throw new EmulatorError(
              400,
              'VALIDATION_ERROR',
              'A lead must be associated with a contact when it is created.',
              {
                errors: [
                  { message: 'missing association to a contact', code: 'REQUIRED_ASSOCIATION_MISSING' },
                ],
              },
            );
          const missing = contactIds.filter((id) => !contacts.find(id));
          if (missing.length > 0)
            throw new EmulatorError(400, 'VALIDATION_ERROR', `Contacts ${missing.join(', ')} do not exist.`, {
              errors: [{ message: 'unknown contact', code: 'INVALID_OBJECT_IDS', context: { ids: missing } }],
            });
          return { contactId: contacts.find(contactIds[0] as string)!.id, properties };
        });
        const results = planned.map(({ contactId, properties }) =>
          resource(
            leads.create(contactId, { hs_pipeline: DEFAULT_LEAD_PIPELINE, ...properties }, contacts.clock()),
          ),
        );
        return {
          status: 201,
          body: { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() },
        };
      },
    },
    {
      method: 'post',
      template: '/crm/v3/objects/leads/batch/update',
      handle: (req) => {
        const startedAt = new Date().toISOString();
        const planned = inputsOf(req).map((input) => {
          const lead = leads.leads.get(String(input.id));
          if (!lead)
            throw new EmulatorError(404, 'OBJECT_NOT_FOUND', `Lead ${String(input.id)} does not exist`);
          return { lead, properties: checkProperties((input.properties ?? {}) as Record<string, unknown>) };
        });
        const results = planned.map(({ lead, properties }) => {
          for (const [name, value] of Object.entries(properties)) {
            if (value === '') delete lead.properties[name];
            else lead.properties[name] = value;
          }
          lead.updatedAt = contacts.clock();
          return resource(lead);
        });
        return {
          status: 200,
          body: { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() },
        };
      },
    },
    {
      // Associations v4 batch read: the Lead records of each contact.
      method: 'post',
      template: '/crm/v4/associations/contacts/leads/batch/read',
      handle: (req) => {
        const startedAt = new Date().toISOString();
        const results = inputsOf(req).flatMap((input) => {
          const contact = contacts.find(String(input.id));
          const found = contact ? leads.forContact(contact.id) : [];
          return found.length === 0
            ? []
            : [
                {
                  from: { id: String(input.id) },
                  to: found.map((lead) => ({
                    toObjectId: Number(lead.id),
                    associationTypes: [
                      { category: 'HUBSPOT_DEFINED', typeId: LEAD_TO_CONTACT_ASSOCIATION, label: 'Primary' },
                    ],
                  })),
                },
              ];
        });
        return {
          status: 200,
          body: { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() },
        };
      },
    },
  ];
}
