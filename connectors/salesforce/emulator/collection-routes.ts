import { Router, type Request, type Response } from 'express';
import { fieldDef, OBJECTS } from './objects.ts';
import { sendError, versionBase } from './respond.ts';
import { sfError, type EmulatorState } from './state.ts';
import type { SaveOutcome } from './store.ts';
import { RequestError, type Row } from './validation.ts';

/** "The list can contain up to 200 objects." (create, update, delete); retrieve takes up to 2,000 ids. */
const MAX_RECORDS = 200;
const MAX_RETRIEVE_IDS = 2000;

type SaveResult = {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
  /** Upserts only: whether the record was inserted (true) or matched and updated (false). */
  created?: boolean;
};

const ROLLED_BACK = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

/**
 * `Sforce-Auto-Assign: TRUE` (or an assignment rule id) runs the org's active Lead assignment rule on
 * create; FALSE or no header leaves the owner as given (or the creating user's default).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_autoassign.htm
 */
function autoAssign(req: Request): boolean {
  const value = req.get('sforce-auto-assign')?.trim();
  return value !== undefined && value.toUpperCase() !== 'FALSE' && value !== '';
}

/**
 * sObject Collections and single-record writes, with per-record results, the 200-record cap and
 * `allOrNone` rollback.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
 */
export function collectionRoutes(state: EmulatorState): Router {
  const router = Router({ mergeParams: true });
  const { store } = state;
  const context = () => ({ userId: store.integrationUserId });

  const body = (req: Request) => (req.body ?? {}) as { allOrNone?: boolean; records?: unknown };
  const records = (req: Request): Array<Record<string, unknown>> => {
    const list = body(req).records;
    if (!Array.isArray(list)) throw new RequestError('INVALID_FIELD', 'records is required');
    if (list.length > MAX_RECORDS) {
      throw new RequestError(
        'EXCEEDED_ID_LIMIT',
        `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
      );
    }
    return list as Array<Record<string, unknown>>;
  };
  const typeOf = (record: Record<string, unknown>): string => {
    const type = (record.attributes as { type?: unknown } | undefined)?.type;
    if (typeof type !== 'string' || !OBJECTS[type]) {
      throw new RequestError('INVALID_TYPE', `sObject type '${String(type)}' is not supported.`);
    }
    return type;
  };

  /**
   * Runs writes; with allOrNone, undoes them all if one failed. `target` names the existing record a
   * write will change when the record itself carries no id (an upsert's match).
   */
  const saveAll = (
    list: Array<Record<string, unknown>>,
    allOrNone: boolean,
    write: (record: Record<string, unknown>) => SaveOutcome & { id?: string; created?: boolean },
    target: (record: Record<string, unknown>) => string | undefined = () => undefined,
  ) => {
    const snapshots = new Map<string, { type: string; row: Row | undefined }>();
    const results: SaveResult[] = list.map((record) => {
      const type = typeOf(record);
      const id =
        typeof record.id === 'string'
          ? record.id
          : typeof record.Id === 'string'
            ? record.Id
            : target(record);
      if (allOrNone && id)
        snapshots.set(id, {
          type,
          row: store.get(type, id) ? { ...(store.get(type, id) as Row) } : undefined,
        });
      const outcome = write(record);
      if (outcome.success) {
        if (allOrNone && !snapshots.has(outcome.id)) snapshots.set(outcome.id, { type, row: undefined });
        return {
          id: outcome.id,
          success: true,
          errors: [],
          ...(outcome.created === undefined ? {} : { created: outcome.created }),
        };
      }
      return { ...(outcome.id ? { id: outcome.id } : {}), success: false, errors: outcome.errors };
    });
    if (allOrNone && results.some((r) => !r.success)) {
      for (const [id, { type, row }] of snapshots) {
        if (row) store.restore(type, id, row);
        else store.table(type).delete(id);
      }
      return results.map((r) => (r.success ? { id: r.id, success: false, errors: [ROLLED_BACK] } : r));
    }
    return results;
  };

  router.post('/composite/sobjects', (req, res) => {
    try {
      const list = records(req);
      res.json(
        saveAll(list, body(req).allOrNone === true, (record) => {
          const type = typeOf(record);
          if (record.Id || record.id) {
            return {
              success: false,
              errors: [
                {
                  statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
                  message: 'cannot specify Id in an insert call',
                  fields: ['Id'],
                },
              ],
            };
          }
          const outcome = store.insert(type, record, context());
          if (outcome.success && type === 'Lead' && autoAssign(req)) store.applyAssignmentRule(outcome.id);
          return outcome;
        }),
      );
    } catch (err) {
      sendError(res, err);
    }
  });

  router.patch('/composite/sobjects', (req, res) => {
    try {
      const list = records(req);
      res.json(
        saveAll(list, body(req).allOrNone === true, (record) => {
          const type = typeOf(record);
          const id =
            typeof record.id === 'string' ? record.id : typeof record.Id === 'string' ? record.Id : '';
          if (!id)
            return {
              success: false,
              errors: [
                { statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] },
              ],
            };
          const outcome = store.update(type, id, record, context());
          return outcome.success || outcome.errors[0]?.statusCode === 'MALFORMED_ID'
            ? outcome
            : { ...outcome, id };
        }),
      );
    } catch (err) {
      sendError(res, err);
    }
  });

  /**
   * Upsert on an external-id field, up to 200 records of the URL's one type: a record whose key matches
   * one live row updates it (`created: false`), no match inserts (`created: true`), a key given twice in
   * the request fails both records with DUPLICATE_EXTERNAL_ID, a key matching several rows fails the
   * record the same way (possible only for a non-unique field).
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm
   */
  router.patch('/composite/sobjects/:type/:field', (req, res) => {
    try {
      const type = String(req.params.type);
      const def = OBJECTS[type]?.fields.find(
        (f) => f.name.toLowerCase() === String(req.params.field).toLowerCase(),
      );
      if (!OBJECTS[type]) throw new RequestError('NOT_FOUND', 'The requested resource does not exist', 404);
      if (!def?.externalId && def?.name !== 'Id') {
        throw new RequestError(
          'NOT_FOUND',
          `Provided external ID field does not exist or is not accessible: ${String(req.params.field)}`,
          404,
        );
      }
      const field = def.name;
      const list = records(req);
      const keyOf = (record: Record<string, unknown>): string | undefined => {
        const value = Object.entries(record).find(
          ([name]) => name.toLowerCase() === field.toLowerCase(),
        )?.[1];
        return typeof value === 'string' && value !== '' ? value : undefined;
      };
      const counts = new Map<string, number>();
      for (const record of list) {
        const key = keyOf(record)?.toLowerCase();
        if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const matches = (record: Record<string, unknown>) => {
        const key = keyOf(record);
        if (!key) return [];
        return field === 'Id'
          ? [store.get(type, key)].filter((row): row is Row => row !== undefined && !row.IsDeleted)
          : store.findByExternalId(type, field, key);
      };
      const fail = (statusCode: string, message: string, fields: string[] = []) => ({
        success: false as const,
        errors: [{ statusCode, message, fields }],
      });
      res.json(
        saveAll(
          list,
          body(req).allOrNone === true,
          (record) => {
            if (typeOf(record) !== type)
              return fail('INVALID_TYPE', `records must all be of type ${type}`, []);
            const key = keyOf(record);
            if (!key) return fail('MISSING_ARGUMENT', `${field} not specified`, [field]);
            if ((counts.get(key.toLowerCase()) ?? 0) > 1)
              return fail('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${key}`, [field]);
            const found = matches(record);
            if (found.length > 1) {
              return fail(
                'DUPLICATE_EXTERNAL_ID',
                `${field}: more than one record found for external id field: [${found.map((row) => String(row.Id)).join(', ')}]`,
                [field],
              );
            }
            const existing = found[0];
            if (existing) {
              const outcome = store.update(type, String(existing.Id), record, context());
              return outcome.success
                ? { ...outcome, created: false }
                : { ...outcome, id: String(existing.Id) };
            }
            const outcome = store.insert(type, field === 'Id' ? omitId(record) : record, context());
            // Assignment rules run on inserts only, as in Salesforce (Sforce-Auto-Assign header).
            if (outcome.success && type === 'Lead' && autoAssign(req)) store.applyAssignmentRule(outcome.id);
            return outcome.success ? { ...outcome, created: true } : outcome;
          },
          (record) => {
            const existing = matches(record);
            return existing.length === 1 ? String(existing[0]?.Id) : undefined;
          },
        ),
      );
    } catch (err) {
      sendError(res, err);
    }
  });

  router.delete('/composite/sobjects', (req, res) => {
    const ids = typeof req.query.ids === 'string' ? req.query.ids.split(',').filter(Boolean) : [];
    if (ids.length > MAX_RECORDS) {
      res
        .status(400)
        .json(
          sfError(
            'EXCEEDED_ID_LIMIT',
            `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
          ),
        );
      return;
    }
    res.json(
      ids.map((id) => {
        const type = store.objectOf(id);
        const deleted = type ? store.delete(type, id, context()) : false;
        return deleted
          ? { id, success: true, errors: [] }
          : {
              id,
              success: false,
              errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
            };
      }),
    );
  });

  const retrieve = (req: Request, res: Response, ids: string[], fields: string[]) => {
    const type = String(req.params.type);
    if (!OBJECTS[type]) {
      res.status(404).json(sfError('NOT_FOUND', 'The requested resource does not exist'));
      return;
    }
    if (ids.length > MAX_RETRIEVE_IDS) {
      res.status(400).json(sfError('EXCEEDED_ID_LIMIT', `Too many ids: maximum is ${MAX_RETRIEVE_IDS}`));
      return;
    }
    if (fields.length === 0) {
      res.status(400).json(sfError('MISSING_ARGUMENT', 'fields is required'));
      return;
    }
    const unknown = fields.find((name) => !fieldDef(type, name, store.absentFields));
    if (unknown) {
      res.status(400).json(sfError('INVALID_FIELD', `No such column '${unknown}' on entity '${type}'.`));
      return;
    }
    res.json(
      ids.map((id) => {
        const row = store.get(type, id);
        if (!row || row.IsDeleted) return null;
        const out: Record<string, unknown> = {
          attributes: { type, url: `${versionBase(req)}/sobjects/${type}/${String(row.Id)}` },
        };
        for (const name of fields) {
          const def = OBJECTS[type]?.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
          if (def) out[def.name] = row[def.name] ?? null;
        }
        return out;
      }),
    );
  };
  router.post('/composite/sobjects/:type', (req, res) => {
    const { ids, fields } = (req.body ?? {}) as { ids?: unknown; fields?: unknown };
    retrieve(
      req,
      res,
      Array.isArray(ids) ? ids.map(String) : [],
      Array.isArray(fields) ? fields.map(String) : [],
    );
  });
  router.get('/composite/sobjects/:type', (req, res) => {
    const split = (value: unknown) => (typeof value === 'string' ? value.split(',').filter(Boolean) : []);
    retrieve(req, res, split(req.query.ids), split(req.query.fields));
  });

  /** A single-record write: its errors are the REST error array of a 400, not a SaveResult. */
  const single = (
    req: Request,
    res: Response,
    write: (type: string, input: Record<string, unknown>) => SaveOutcome,
    reply: (id: string) => void,
  ) => {
    try {
      const type = String(req.params.type);
      if (!OBJECTS[type]) throw new RequestError('NOT_FOUND', 'The requested resource does not exist', 404);
      const outcome = write(type, (req.body ?? {}) as Record<string, unknown>);
      if (outcome.success) reply(outcome.id);
      else
        res
          .status(400)
          .json(
            outcome.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })),
          );
    } catch (err) {
      sendError(res, err);
    }
  };
  router.post('/sobjects/:type', (req, res) =>
    single(
      req,
      res,
      (type, input) => store.insert(type, input, context()),
      (id) => res.status(201).json({ id, success: true, errors: [] }),
    ),
  );
  router.patch('/sobjects/:type/:id', (req, res) =>
    single(
      req,
      res,
      (type, input) => store.update(type, String(req.params.id), input, context()),
      () => res.status(204).end(),
    ),
  );
  router.delete('/sobjects/:type/:id', (req, res) => {
    const type = String(req.params.type);
    if (OBJECTS[type] && store.delete(type, String(req.params.id), context())) res.status(204).end();
    else res.status(404).json(sfError('ENTITY_IS_DELETED', 'entity is deleted'));
  });
  return router;
}

function omitId(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => name.toLowerCase() !== 'id'));
}
