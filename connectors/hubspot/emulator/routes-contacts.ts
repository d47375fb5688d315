import type { Request } from 'express';
import { BATCH_MAX_INPUTS, LIST_PAGE_MAX } from '../limits.ts';
import { badRequest, EmulatorError, notFound } from './errors.ts';
import type { ApiRoute } from './api-router.ts';
import { enforcesWriteValidation } from './api-versions.ts';
import { validateRequired } from './validation.ts';
import { contactResource, listParam } from './resources.ts';
import { search, type SearchBody } from './search.ts';
import type { ContactStore, StoredContact } from './store.ts';

// https://developers.hubspot.com/docs/api/crm/contacts (contacts-v3 OpenAPI in test/fixtures/hubspot)

interface Input {
  id?: unknown;
  idProperty?: unknown;
  properties?: unknown;
}

function inputs(req: Request): Input[] {
  const body = req.body as { inputs?: unknown } | undefined;
  if (!body || !Array.isArray(body.inputs)) throw badRequest('Invalid input JSON: "inputs" is required');
  // "Batch operations are limited to 100 records at a time."
  if (body.inputs.length > BATCH_MAX_INPUTS)
    throw badRequest(
      `Batch input limit exceeded: at most ${BATCH_MAX_INPUTS} inputs per request, got ${body.inputs.length}`,
      'TOO_MANY_INPUTS',
    );
  const list = body.inputs as Input[];
  const ids = list.map((input) => String(input.id ?? '')).filter((id) => id !== '');
  const duplicates = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
  if (duplicates.length > 0)
    throw badRequest(
      `Duplicate IDs found in batch input: [${duplicates.join(', ')}]. IDs must be unique`,
      'DUPLICATE_IDS',
    );
  return list;
}

function propertiesOf(input: Input): Record<string, string> {
  if (typeof input.properties !== 'object' || input.properties === null)
    throw badRequest('Each input needs "properties"');
  return input.properties as Record<string, string>;
}

function batchAnswer(results: unknown[], errors: unknown[], startedAt: string) {
  const base = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  return errors.length > 0
    ? { status: 207, body: { ...base, numErrors: errors.length, errors } }
    : { status: 200, body: base };
}

function notFoundError(ids: string[]) {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message:
      'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
    context: { ids },
    errors: [],
    links: {},
  };
}

export function contactRoutes(store: ContactStore, searchLagMs: () => number): ApiRoute[] {
  const find = (id: string, idProperty: unknown): StoredContact | undefined =>
    idProperty === 'email' ? store.findByEmail(id) : store.find(id);
  /** A create at 2026-09 or later must carry the portal's required properties. */
  const checkCreate = (req: Request, properties: Record<string, unknown>) => {
    if (enforcesWriteValidation(req)) validateRequired(store.requiredProperties, properties);
  };

  return [
    {
      method: 'get',
      template: '/crm/v3/objects/contacts',
      handle: (req) => {
        const limit = Number(req.query.limit ?? 10);
        if (!Number.isInteger(limit) || limit < 1 || limit > LIST_PAGE_MAX)
          throw badRequest(`limit must be between 1 and ${LIST_PAGE_MAX}`);
        const after = req.query.after === undefined ? 0 : Number(req.query.after);
        const properties = listParam(req.query.properties);
        const page: StoredContact[] = [];
        let next: string | undefined;
        // Id order, and `after` is an id: a page boundary stays put while contacts are added.
        for (const contact of store.contacts.values()) {
          if (contact.archived || Number(contact.id) < after) continue;
          if (page.length === limit) {
            next = contact.id;
            break;
          }
          page.push(contact);
        }
        return {
          status: 200,
          body: {
            results: page.map((contact) => contactResource(contact, properties)),
            ...(next ? { paging: { next: { after: next, link: `?after=${next}` } } } : {}),
          },
        };
      },
    },
    {
      method: 'post',
      template: '/crm/v3/objects/contacts/batch/read',
      handle: (req) => {
        const startedAt = new Date().toISOString();
        const body = req.body as { properties?: string[]; idProperty?: string };
        const results: unknown[] = [];
        const missing: string[] = [];
        for (const input of inputs(req)) {
          const contact = find(String(input.id), body.idProperty);
          if (contact) results.push(contactResource(contact, body.properties));
          else missing.push(String(input.id));
        }
        return batchAnswer(results, missing.length > 0 ? [notFoundError(missing)] : [], startedAt);
      },
    },
    {
      method: 'post',
      template: '/crm/v3/objects/contacts/batch/update',
      handle: (req) => {
        const startedAt = new Date().toISOString();
        const list = inputs(req);
        const found = list.map((input) => ({ input, contact: find(String(input.id), input.idProperty) }));
        // The whole batch is validated before anything is written: one bad value refuses it all.
        for (const { input, contact } of found) store.validate(propertiesOf(input), contact, true);
        const results: unknown[] = [];
        const missing: string[] = [];
        for (const { input, contact } of found) {
          if (!contact) {
            missing.push(String(input.id));
            continue;
          }
          store.update(contact, propertiesOf(input), 'INTEGRATION');
          results.push(contactResource(contact, Object.keys(propertiesOf(input))));
        }
        return batchAnswer(results, missing.length > 0 ? [notFoundError(missing)] : [], startedAt);
      },
    },
    {
      method: 'post',
      template: '/crm/v3/objects/contacts/batch/upsert',
      handle: (req) => {
        const startedAt = new Date().toISOString();
        const list = inputs(req);
        for (const input of list) {
          if (input.idProperty !== 'email' && input.idProperty !== 'hs_object_id')
            throw badRequest(
              'Upsert needs idProperty "email" or a unique-value property',
              'INVALID_ID_PROPERTY',
            );
          if (typeof input.id !== 'string' || input.id === '') throw badRequest('Each input needs an "id"');
          const existing = find(input.id, input.idProperty);
          store.validate(propertiesOf(input), existing, true);
          if (!existing) checkCreate(req, { ...propertiesOf(input), [String(input.idProperty)]: input.id });
        }
        const results = list.map((input) => {
          const properties = propertiesOf(input);
          const existing = find(String(input.id), input.idProperty);
          if (existing) {
            store.update(existing, properties, 'INTEGRATION');
            return { ...contactResource(existing, Object.keys(properties)), new: false };
          }
          if (input.idProperty !== 'email') throw notFound(`Contact ${String(input.id)} does not exist`);
          const created = store.create({ ...properties, email: String(input.id) }, 'INTEGRATION');
          return { ...contactResource(created, [...Object.keys(properties), 'email']), new: true };
        });
        return {
          status: 200,
          body: { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() },
        };
      },
    },
    {
      method: 'post',
      template: '/crm/v3/objects/contacts/batch/create',
      handle: (req) => {
        const startedAt = new Date().toISOString();
        const list = inputs(req);
        for (const input of list) {
          store.validate(propertiesOf(input), undefined, true);
          checkCreate(req, propertiesOf(input));
        }
        const results = list.map((input) =>
          contactResource(store.create(propertiesOf(input), 'INTEGRATION'), Object.keys(propertiesOf(input))),
        );
        return {
          status: 201,
          body: { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() },
        };
      },
    },
    {
      method: 'post',
      template: '/crm/v3/objects/contacts',
      handle: (req) => {
        const properties = propertiesOf((req.body ?? {}) as Input);
        store.validate(properties, undefined, true);
        checkCreate(req, properties);
        return {
          status: 201,
          body: contactResource(store.create(properties, 'INTEGRATION'), Object.keys(properties)),
        };
      },
    },
    {
      // "Archive a batch of contacts by ID": 204, also for ids already archived or unknown.
      method: 'post',
      template: '/crm/v3/objects/contacts/batch/archive',
      handle: (req) => {
        const ids = inputs(req).map((input) => String(input.id ?? ''));
        if (ids.some((id) => id === '')) throw badRequest('Each input needs an "id"');
        for (const id of ids) {
          // By its own id only: a merged-away id must not archive the contact it was merged into.
          const contact = store.contacts.get(id);
          if (contact && !contact.archived) store.archive(contact, 'INTEGRATION');
        }
        return { status: 204, body: undefined };
      },
    },
    {
      // GDPR delete: gone for good. By email, an unknown address is blocklisted (still 204).
      method: 'post',
      template: '/crm/v3/objects/contacts/gdpr-delete',
      handle: (req) => {
        const body = (req.body ?? {}) as { objectId?: unknown; idProperty?: unknown };
        if (typeof body.objectId !== 'string' || body.objectId === '')
          throw badRequest('Invalid input JSON: "objectId" is required');
        const contact = find(body.objectId, body.idProperty);
        if (!contact && body.idProperty !== 'email')
          throw new EmulatorError(404, 'OBJECT_NOT_FOUND', 'resource not found');
        if (contact) store.purge(contact, 'INTEGRATION');
        return { status: 204, body: undefined };
      },
    },
    {
      method: 'post',
      template: '/crm/v3/objects/contacts/search',
      isSearch: true,
      handle: (req) => {
        const body = (req.body ?? {}) as SearchBody;
        const result = search(store.contacts.values(), body, store.properties, store.clock() - searchLagMs());
        return {
          status: 200,
          body: {
            total: result.total,
            results: result.page.map((contact) => contactResource(contact, body.properties)),
            ...(result.nextAfter === undefined
              ? {}
              : { paging: { next: { after: String(result.nextAfter), link: '' } } }),
          },
        };
      },
    },
    {
      method: 'get',
      template: '/crm/v3/objects/contacts/:contactId',
      handle: (req) => {
        const contact = find(String(req.params.contactId), req.query.idProperty);
        if (!contact) throw new EmulatorError(404, 'OBJECT_NOT_FOUND', 'resource not found');
        return { status: 200, body: contactResource(contact, listParam(req.query.properties)) };
      },
    },
    {
      method: 'patch',
      template: '/crm/v3/objects/contacts/:contactId',
      handle: (req) => {
        const contact = find(String(req.params.contactId), req.query.idProperty);
        if (!contact) throw new EmulatorError(404, 'OBJECT_NOT_FOUND', 'resource not found');
        const properties = propertiesOf((req.body ?? {}) as Input);
        store.validate(properties, contact, true);
        store.update(contact, properties, 'INTEGRATION');
        return { status: 200, body: contactResource(contact, Object.keys(properties)) };
      },
    },
  ];
}
