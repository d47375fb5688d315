import type { ApiCallRecorder } from '../../src/metrics/api-calls.ts';
import type { ApiBudget } from './budget.ts';
import { endpointTemplate } from './endpoint.ts';
import { parseLimitInfo } from './limit-info.ts';

interface ObservedResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body?: unknown;
}

interface ObservableTransport {
  httpRequest(req: { method: string; url: string }, options?: unknown): Promise<ObservedResponse>;
}

/**
 * Wraps a jsforce transport so every HTTP exchange is counted (endpoint template and status, 0 when no
 * response came) and every `Sforce-Limit-Info` header feeds the tenant's budget. jsforce's own GET retries
 * happen inside one exchange, so a retried GET counts once, with its final status.
 */
export function instrumentTransport(
  transport: unknown,
  observe: { tenant: string; recorder: ApiCallRecorder; budget: ApiBudget },
): void {
  const target = transport as ObservableTransport;
  const original = target.httpRequest.bind(target);
  target.httpRequest = (req, options) => {
    const pending = original(req, options);
    const endpoint = endpointTemplate(req.method, req.url);
    pending.then(
      (response) => {
        observe.recorder.record({
          system: 'salesforce',
          tenant: observe.tenant,
          endpoint,
          status: response.statusCode,
        });
        const usage = parseLimitInfo(response.headers['sforce-limit-info']);
        if (usage) observe.budget.observe(usage.used, usage.limit);
        if (isDailyLimitExceeded(response)) observe.budget.limitExceeded();
      },
      () => observe.recorder.record({ system: 'salesforce', tenant: observe.tenant, endpoint, status: 0 }),
    );
    return pending;
  };
}

function isDailyLimitExceeded(response: ObservedResponse): boolean {
  if (response.statusCode !== 403) return false;
  const body = typeof response.body === 'string' ? response.body : '';
  return body.includes('REQUEST_LIMIT_EXCEEDED') && !/ConcurrentRequests/i.test(body);
}
