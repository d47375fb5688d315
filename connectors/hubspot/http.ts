import type { Client } from '@hubspot/api-client';

// `@hubspot/api-client` 14.0.1 (the newest release on npm, checked 2026-11-30) hard-codes `/crm/v3/...`
// in every generated API class (`localVarPath = '/crm/v3/objects/contacts/batch/upsert'`), and `basePath`
// can only prefix a path, not move the version segment (`/crm/objects/2026-09/contacts`). So every CRM
// call goes through the SDK's generic `apiRequest`, which keeps what the SDK does well (base URL, bearer
// auth, user agent, fetch transport) and takes any path: the same code serves `v3` and dated versions.

/** A non-2xx answer, shaped like the SDK's `ApiException` (`code`, `body`, `headers`) for `classify`. */
export class HubSpotHttpError extends Error {
  readonly code: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;

  constructor(method: string, path: string, code: number, body: unknown, headers: Record<string, string>) {
    const message = (body as { message?: unknown } | null)?.message;
    super(`HTTP ${code} from ${method} ${path}${typeof message === 'string' ? `: ${message}` : ''}`);
    this.name = 'HubSpotHttpError';
    this.code = code;
    this.body = body;
    this.headers = headers;
  }
}

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  /** Query parameters; an array value repeats the name. */
  query?: Record<string, string | string[] | undefined>;
}

function queryString(query: JsonRequest['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * One JSON call through the SDK's `apiRequest`; resolves `{ httpStatusCode, data, headers }` (as the SDK's
 * `…WithHttpInfo` methods do) on 2xx and rejects with {@link HubSpotHttpError} otherwise.
 */
export async function sendJson<T>(
  sdk: Client,
  request: JsonRequest,
): Promise<{ httpStatusCode: number; data: T; headers: Record<string, string> }> {
  const response = await sdk.apiRequest({
    method: request.method,
    path: `${request.path}${queryString(request.query)}`,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const body = await parseBody(response);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  if (response.status >= 200 && response.status < 300)
    return { httpStatusCode: response.status, data: body as T, headers };
  throw new HubSpotHttpError(request.method, request.path, response.status, body, headers);
}
