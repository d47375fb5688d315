import { z } from 'zod';

/**
 * Where Redis is, as `REDIS_URL` says it: one server (`redis://`, `rediss://`, any URL ioredis reads) or a
 * Redis Cluster (`redis+cluster://[user:password@]host:port,host:port,...`, `rediss+cluster://` for TLS).
 * The cluster form lists seed nodes: any master or two will do, the client discovers the rest itself.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'cluster';
      nodes: Array<{ host: string; port: number }>;
      username?: string;
      password?: string;
      tls: boolean;
    };

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\/(.*)$/i;
const Port = z.coerce.number().int().min(1).max(65_535);

/** Thrown for a `redis+cluster://` URL that does not say where its nodes are; the message names the fix. */
export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEME.test(url);
}

/** Reads REDIS_URL; a single-server URL is passed to ioredis as it is. */
export function parseRedisTarget(url: string): RedisTarget {
  const match = CLUSTER_SCHEME.exec(url);
  if (!match) return { kind: 'single', url };
  const [, scheme, rest = ''] = match;
  const at = rest.lastIndexOf('@');
  const credentials = at >= 0 ? rest.slice(0, at) : '';
  const hosts = (at >= 0 ? rest.slice(at + 1) : rest).replace(/\/.*$/, '');
  const nodes = hosts
    .split(',')
    .filter((node) => node.trim() !== '')
    .map((node) => {
      const [host, portText = '6379'] = node.trim().split(/:(?=\d*$)/);
      const port = Port.safeParse(portText);
      if (!host || !port.success) {
        throw new RedisUrlError(
          `REDIS_URL: cluster node ${JSON.stringify(node)} is not host:port (write redis+cluster://host:port,host:port)`,
        );
      }
      return { host, port: port.data };
    });
  if (nodes.length === 0) {
    throw new RedisUrlError(
      'REDIS_URL: redis+cluster:// lists no node (write redis+cluster://host:port,host:port)',
    );
  }
  const [user = '', password] = credentials.includes(':') ? credentials.split(/:(.*)/s) : [credentials];
  return {
    kind: 'cluster',
    nodes,
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    tls: scheme?.toLowerCase() === 'rediss',
  };
}
