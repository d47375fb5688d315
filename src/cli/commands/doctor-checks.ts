import type { Redis } from 'ioredis';
import { masterNodes } from '../../store/redis.ts';
import type { SetupCheck } from '../../../connectors/types.ts';

/** `warn` and `skip` do not fail the doctor; only `fail` does. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  /** What was checked, e.g. `redis`, `acme hubspot`. */
  group: string;
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a failed or warned check. */
  fix?: string;
}

/** Time allowed for each network probe (Redis, public URL), in milliseconds. */
export const PROBE_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a WHATWG URL (a `redis+cluster://` list of nodes): hide what sits between `user:` and `@`.
    return url.replace(/^([a-z+]+:\/\/[^:@/]*:)[^@]*@/i, '$1***@');
  }
}

/** `CONFIG GET` answer as one value; null when the server refuses CONFIG (managed Redis often does). */
async function configValue(redis: Redis, name: string): Promise<string | null> {
  // A cluster: every master must be set up right, so the answer lists each distinct value.
  const nodes = masterNodes(redis);
  if (nodes.length > 1) {
    const values = await Promise.all(nodes.map((node) => configValue(node, name)));
    return values.includes(null) ? null : [...new Set(values)].join(', ');
  }
  try {
    const reply = (await redis.config('GET', name)) as unknown;
    return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : null;
  } catch {
    return null;
  }
}

/**
 * Redis answers, and is set up the way BullMQ needs it: `maxmemory-policy noeviction` (an evicted job key
 * breaks a queue) and AOF on (a restart must not lose queued work). Those two are warnings, not failures:
 * a managed Redis may refuse CONFIG and still be set up right.
 * https://docs.bullmq.io/guide/going-to-production#max-memory-policy
 */
export async function checkRedis(redis: Redis, url: string): Promise<DoctorCheck[]> {
  const group = 'redis';
  try {
    const pong = await withTimeout(redis.ping(), PROBE_TIMEOUT_MS, 'PING');
    const checks: DoctorCheck[] = [
      { group, name: 'reachable', status: 'pass', detail: `${pong} from ${redactUrl(url)}` },
    ];
    const policy = await configValue(redis, 'maxmemory-policy');
    checks.push(
      policy === null
        ? {
            group,
            name: 'maxmemory-policy',
            status: 'warn',
            detail: 'CONFIG GET refused; cannot tell',
            fix: 'make sure maxmemory-policy is noeviction (BullMQ loses jobs otherwise)',
          }
        : policy === 'noeviction'
          ? { group, name: 'maxmemory-policy', status: 'pass', detail: 'noeviction' }
          : {
              group,
              name: 'maxmemory-policy',
              status: 'warn',
              detail: `${policy}: Redis may evict queue and link keys under memory pressure`,
              fix: 'set maxmemory-policy noeviction (redis.conf, or CONFIG SET maxmemory-policy noeviction)',
            },
    );
    const aof = await configValue(redis, 'appendonly');
    checks.push(
      aof === 'yes'
        ? { group, name: 'persistence', status: 'pass', detail: 'appendonly yes' }
        : {
            group,
            name: 'persistence',
            status: 'warn',
            detail:
              aof === null ? 'CONFIG GET refused; cannot tell' : 'appendonly no: a restart loses queued work',
            fix: 'set appendonly yes (redis.conf, or CONFIG SET appendonly yes)',
          },
    );
    return checks;
  } catch (error) {
    return [
      {
        group,
        name: 'reachable',
        status: 'fail',
        detail: `${redactUrl(url)}: ${(error as Error).message}`,
        fix: 'start Redis 7+ or point REDIS_URL at it',
      },
    ];
  }
}

/**
 * HubSpot and Salesforce reach LeadBridge at LEADBRIDGE_PUBLIC_URL: its `/healthz` must answer 200 from
 * here (a proxy or tunnel in front of the server is the usual culprit).
 */
export async function checkWebhookReachability(
  publicUrl: string | undefined,
  fetchImpl: typeof fetch = fetch,
): Promise<DoctorCheck> {
  const group = 'webhooks';
  const name = 'public URL reachable';
  if (!publicUrl) {
    return {
      group,
      name,
      status: 'skip',
      detail: 'LEADBRIDGE_PUBLIC_URL not set; only polling keeps the tenants in sync until it is',
    };
  }
  const url = `${publicUrl.replace(/\/+$/, '')}/healthz`;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.body?.cancel();
    if (response.status === 200) return { group, name, status: 'pass', detail: `GET ${url}: 200` };
    return {
      group,
      name,
      status: 'fail',
      detail: `GET ${url}: ${response.status}`,
      fix: 'LEADBRIDGE_PUBLIC_URL must reach `leadbridge serve`; check the proxy routes /healthz and /webhooks/* to it',
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      group,
      name,
      status: 'fail',
      detail: `GET ${url}: ${cause ?? (error as Error).message}`,
      fix: 'start `leadbridge serve` and make LEADBRIDGE_PUBLIC_URL point at it (DNS, proxy, firewall)',
    };
  }
}

/** A connector's setup checks as doctor lines; the group names the system, so the name need not repeat it. */
export function fromSetupChecks(group: string, checks: SetupCheck[]): DoctorCheck[] {
  return checks.map((check) => ({
    group,
    name: check.name.replace(/^(hubspot |salesforce\.)/, ''),
    status: check.ok ? 'pass' : 'fail',
    detail: check.detail,
    ...(check.fix ? { fix: check.fix } : {}),
  }));
}
