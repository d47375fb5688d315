import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { collectionRoutes } from './collection-routes.ts';
import { compositeRoutes } from './composite-routes.ts';
import { KEY_PREFIX } from './ids.ts';
import { describeObject, OBJECTS } from './objects.ts';
import { restGuard } from './rest-guard.ts';
import { compileQuery, project, runQuery } from './soql.ts';
import { sendError, versionBase } from './respond.ts';
import { sfError, type EmulatorState } from './state.ts';
import { RequestError } from './validation.ts';

/**
 * Versions the emulated org serves: 31.0 (the oldest not retired) to 67.0 (Summer '26); 68.0 (Winter '27)
 * is only in preview, so it is unknown here (404 as for any unknown resource). 21.0–30.0 were retired in
 * Summer '25 and answer 410 GONE (Salesforce Help KB 000354473); so does anything older.
 */
const MIN_VERSION = 31;
const MAX_VERSION = 67;

/**
 * The REST resources the connector uses, at `/services/data/vXX.X/...`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_list.htm
 */
export function restRoutes(state: EmulatorState): Router {
  const router = Router();
  router.get('/services/data', (_req, res) => {
    const versions = [];
    for (let v = MIN_VERSION; v <= MAX_VERSION; v += 1) {
      versions.push({ label: `v${v}.0`, url: `/services/data/v${v}.0`, version: `${v}.0` });
    }
    res.json(versions);
  });
  const api = Router({ mergeParams: true });
  router.use('/services/data/:version', (req, res, next) => {
    const match = /^v(\d+)\.0$/.exec(String(req.params.version));
    const major = match ? Number(match[1]) : 0;
    if (match && major < MIN_VERSION) {
      // 410 is documented; the body's code and wording are ours, in Salesforce's REST error shape.
      res
        .status(410)
        .json(
          sfError(
            'UNSUPPORTED_API_VERSION',
            `API version ${major}.0 has been retired and is no longer available. Use version ${MIN_VERSION}.0 or later.`,
          ),
        );
      return;
    }
    if (major < MIN_VERSION || major > MAX_VERSION) {
      res.status(404).json(sfError('NOT_FOUND', 'The requested resource does not exist'));
      return;
    }
    next();
  });
  router.use('/services/data/:version', restGuard(state, { countsAgainstLimit: true }), api);
  api.use(
    express.json({ limit: '20mb', type: () => true }),
    (err: Error, _req: Request, res: Response, next: (err?: unknown) => void) => {
      if (err) res.status(400).json(sfError('JSON_PARSER_ERROR', err.message));
      else next();
    },
  );

  api.get('/', (req, res) => {
    const base = versionBase(req);
    res.json({
      sobjects: `${base}/sobjects`,
      query: `${base}/query`,
      queryAll: `${base}/queryAll`,
      limits: `${base}/limits`,
    });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
  api.get('/limits', (_req, res) => {
    const used = state.usage.used();
    res.json({
      DailyApiRequests: { Max: state.usage.limit, Remaining: Math.max(0, state.usage.limit - used) },
      DailyBulkApiBatches: { Max: 15_000, Remaining: 15_000 },
      DailyAsyncApexExecutions: { Max: 250_000, Remaining: 250_000 },
    });
  });

  const query = (scanAll: boolean) => (req: Request, res: Response) => {
    try {
      const soql = typeof req.query.q === 'string' ? req.query.q : '';
      if (!soql) throw new RequestError('MALFORMED_QUERY', 'A query string has to be specified');
      const compiled = compileQuery(soql, state.store.absentFields);
      const rows = runQuery(compiled, state.store.rows(compiled.object), scanAll);
      const base = versionBase(req);
      if (compiled.fields === 'COUNT') {
        res.json({ totalSize: rows.length, done: true, records: [] });
        return;
      }
      const parent = (id: string) => {
        const type = state.store.objectOf(id);
        const row = type ? state.store.get(type, id) : undefined;
        return type && row && (scanAll || row.IsDeleted !== true) ? { type, row } : undefined;
      };
      const projected = rows.map((row) => project(compiled, row, base, parent));
      sendPage(req, res, projected, 0, `q${randomBytes(6).toString('hex')}`);
    } catch (err) {
      sendError(res, err);
    }
  };
  const sendPage = (
    req: Request,
    res: Response,
    rows: Array<Record<string, unknown>>,
    offset: number,
    key: string,
  ) => {
    const batch = batchSize(req, state);
    const page = rows.slice(offset, offset + batch);
    const next = offset + batch;
    const done = next >= rows.length;
    const locator = `${KEY_PREFIX.QueryLocator}${key}`;
    if (done) state.locators.delete(locator);
    else {
      state.locators.set(locator, rows);
      if (state.locators.size > 200) state.locators.delete(state.locators.keys().next().value as string);
    }
    const endpoint = req.path.startsWith('/queryAll') ? 'queryAll' : 'query';
    res.json({
      totalSize: rows.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `${versionBase(req)}/${endpoint}/${locator}-${next}` }),
      records: page,
    });
  };
  const queryMore = (req: Request, res: Response) => {
    const match = /^(01g[a-zA-Z0-9]+)-(\d+)$/.exec(String(req.params.locator));
    const rows = match ? state.locators.get(match[1] as string) : undefined;
    if (!match || !rows) {
      res.status(400).json(sfError('INVALID_QUERY_LOCATOR', 'invalid query locator'));
      return;
    }
    sendPage(req, res, rows, Number(match[2]), (match[1] as string).slice(3));
  };
  api.get('/query', query(false));
  api.get('/queryAll', query(true));
  api.get('/query/:locator', queryMore);
  api.get('/queryAll/:locator', queryMore);

  api.get('/sobjects', (req, res) => {
    res.json({
      encoding: 'UTF-8',
      maxBatchSize: 200,
      sobjects: Object.values(OBJECTS).map((def) => ({
        name: def.name,
        label: def.name,
        keyPrefix: def.keyPrefix,
        queryable: true,
        urls: { sobject: `${versionBase(req)}/sobjects/${def.name}` },
      })),
    });
  });
  api.get('/sobjects/:type/describe', (req, res) => {
    const def = OBJECTS[String(req.params.type)];
    if (!def) {
      res.status(404).json(sfError('NOT_FOUND', `The requested resource does not exist`));
      return;
    }
    res.json(
      describeObject(
        def,
        versionBase(req),
        state.store.leadStatuses(),
        state.store.defaultLeadStatus(),
        state.store.absentFields,
      ),
    );
  });
  api.get('/sobjects/:type/:id', (req, res) => {
    const type = String(req.params.type);
    const row = OBJECTS[type] ? state.store.get(type, String(req.params.id)) : undefined;
    if (!row || row.IsDeleted) {
      res.status(404).json(sfError('NOT_FOUND', 'The requested resource does not exist'));
      return;
    }
    const fields = typeof req.query.fields === 'string' ? req.query.fields.split(',') : Object.keys(row);
    const out: Record<string, unknown> = {
      attributes: { type, url: `${versionBase(req)}/sobjects/${type}/${String(row.Id)}` },
    };
    for (const name of fields) out[name] = row[name] ?? null;
    res.json(out);
  });
  api.use(compositeRoutes(state));
  api.use(collectionRoutes(state));
  api.use((_req: Request, res: Response) => {
    res.status(404).json(sfError('NOT_FOUND', 'The requested resource does not exist'));
  });
  return router;
}

/**
 * Rows per page: `Sforce-Query-Options: batchSize=N` (held to 200..2,000), else 2,000. Salesforce
 * treats the header as a request, not a guarantee, so the fault setting (an org answering in smaller
 * pages) caps it.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
 */
function batchSize(req: Request, state: EmulatorState): number {
  const header = /batchSize=(\d+)/.exec(req.get('sforce-query-options') ?? '');
  const asked = header ? Math.min(2000, Math.max(200, Number(header[1]))) : 2000;
  return Math.min(asked, state.faults.queryBatchSize ?? 2000);
}
