import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import contacts from '../../fixtures/hubspot/contacts-v3.openapi.json' with { type: 'json' };
import properties from '../../fixtures/hubspot/properties-v3.openapi.json' with { type: 'json' };
import webhooks from '../../fixtures/hubspot/webhooks-v3.openapi.json' with { type: 'json' };
import type { Exchange } from '../../../connectors/hubspot/emulator/index.ts';

// HubSpot's official OpenAPI specs (test/fixtures/hubspot) as the judge of every body on the wire.

type Spec = { paths: Record<string, Record<string, Operation>> };
interface Operation {
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
