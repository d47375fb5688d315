import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import contacts from '../../fixtures/hubspot/contacts-v3.openapi.json' with { type: 'json' };
import properties from '../../fixtures/hubspot/properties-v3.openapi.json' with { type: 'json' };
import webhooks from '../../fixtures/hubspot/webhooks-v3.openapi.json' with { type: 'json' };
import type { Exchange } from '../../../connectors/hubspot/emulator/index.ts';

// HubSpot's official OpenAPI specs (test/fixtures/hubspot) as the judge of every body on the wire.

type Spec = { paths: Record<string, Record<string, Operation>> };
interface Parameter {
  name: string;
  in: string;
  schema?: { type?: string; items?: object };
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref: string } }>; $ref?: string }>;
}

const SPECS: Array<[string, Spec]> = [
  ['contacts', contacts as unknown as Spec],
  ['properties', properties as unknown as Spec],
  ['webhooks', webhooks as unknown as Spec],
];

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
for (const [id, spec] of SPECS) ajv.addSchema(spec as object, id);

const cache = new Map<string, ValidateFunction>();
function validator(specId: string, ref: string): ValidateFunction {
  const key = `${specId}${ref}`;
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile({ $ref: key });
    cache.set(key, validate);
  }
  return validate;
}

function operation(method: string, path: string): [string, Operation] | undefined {
  for (const [id, spec] of SPECS) {
    const op = spec.paths[path]?.[method.toLowerCase()];
    if (op) return [id, op];
  }
  return undefined;
}

/** A query value as the spec's form style (explode) allows it: arrays repeated or comma separated. */
function fromQuery(raw: unknown, type: string | undefined): unknown {
  const values = (Array.isArray(raw) ? raw : [raw]).map(String);
  if (type === 'array') return values.flatMap((value) => value.split(','));
  const value = values.length === 1 ? values[0]! : values;
  if (Array.isArray(value)) return value;
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

function queryProblems(op: Operation, query: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(query)) {
    const parameter = op.parameters?.find((candidate) => candidate.in === 'query' && candidate.name === name);
    if (!parameter) {
      problems.push(`query parameter ${name} is not in the spec`);
      continue;
    }
    const schema = parameter.schema ?? {};
    if (!ajv.validate(schema, fromQuery(raw, schema.type)))
      problems.push(`query parameter ${name}=${String(raw)}: ${ajv.errorsText(ajv.errors)}`);
  }
  return problems;
}

/** Problems found in the recorded exchanges: unknown operations, and bodies the specs reject. */
export function conformanceProblems(exchanges: Exchange[]): string[] {
  const problems: string[] = [];
  for (const exchange of exchanges) {
    const found = operation(exchange.method, exchange.path);
    const where = `${exchange.method} ${exchange.path} ${exchange.status}`;
    if (!found) {
      problems.push(`${where}: not in the specs`);
      continue;
    }
    const [id, op] = found;
    problems.push(...queryProblems(op, exchange.query).map((problem) => `${where} ${problem}`));
    const requestRef = op.requestBody?.content['application/json']?.schema.$ref;
    if (requestRef && exchange.requestBody !== undefined) {
      const validate = validator(id, requestRef);
      if (!validate(exchange.requestBody))
        problems.push(`${where} request: ${ajv.errorsText(validate.errors)}`);
    }
    const response = op.responses[String(exchange.status)] ?? op.responses.default;
    const content =
      response?.content ??
      (response?.$ref ? { '*/*': { schema: { $ref: '#/components/schemas/Error' } } } : undefined);
    const responseRef = content && Object.values(content)[0]?.schema.$ref;
    if (!response) problems.push(`${where}: status not in the spec`);
    else if (responseRef && exchange.responseBody !== undefined) {
      const validate = validator(id, responseRef);
      if (!validate(exchange.responseBody))
        problems.push(`${where} response: ${ajv.errorsText(validate.errors)}`);
    }
  }
  return problems;
}
