import { DEFAULT_CONFIG_PATH } from '../config/load.ts';
import { DEFAULT_REDIS_URL } from '../store/redis.ts';

/** Interface `leadbridge serve` binds by default: this machine only. A container or a proxy on another host needs `--host 0.0.0.0`. */
export const DEFAULT_HOST = '127.0.0.1';

/** The environment variables of `.env.example`, read in one place. */
export function runtimeEnv(env: Record<string, string | undefined> = process.env) {
  const blankToUndefined = (value: string | undefined) =>
    value === undefined || value === '' ? undefined : value;
  const portText = blankToUndefined(env.PORT);
  return {
    redisUrl: blankToUndefined(env.REDIS_URL) ?? DEFAULT_REDIS_URL,
    /** PORT as given; a value that is not a port is NaN, refused by the commands that listen. */
    port: portText === undefined ? 3000 : /^\d+$/.test(portText) ? Number(portText) : Number.NaN,
    /** PORT as written, for messages. */
    portText: portText ?? '3000',
    /** LEADBRIDGE_HOST: the interface `serve` binds (default 127.0.0.1). */
    host: blankToUndefined(env.LEADBRIDGE_HOST) ?? DEFAULT_HOST,
    configPath: blankToUndefined(env.LEADBRIDGE_CONFIG) ?? DEFAULT_CONFIG_PATH,
    adminToken: blankToUndefined(env.LEADBRIDGE_ADMIN_TOKEN),
    publicUrl: blankToUndefined(env.LEADBRIDGE_PUBLIC_URL),
    /** Key that seals the OAuth tokens LeadBridge keeps in Redis (AES-256-GCM); unset: stored plain, with a warning. */
    secretKey: blankToUndefined(env.LEADBRIDGE_SECRET_KEY),
    /** Base of every Redis key and BullMQ queue; a second install (or a test) on one Redis picks its own. */
    redisPrefix: blankToUndefined(env.LEADBRIDGE_REDIS_PREFIX) ?? 'leadbridge',
  };
}
export type RuntimeEnv = ReturnType<typeof runtimeEnv>;
