import { DEFAULT_CONFIG_PATH } from '../config/load.ts';
import { DEFAULT_REDIS_URL } from '../store/redis.ts';

/** The environment variables of `.env.example`, read in one place. */
export function runtimeEnv(env: Record<string, string | undefined> = process.env) {
  const blankToUndefined = (value: string | undefined) =>
    value === undefined || value === '' ? undefined : value;
  return {
    redisUrl: blankToUndefined(env.REDIS_URL) ?? DEFAULT_REDIS_URL,
    port: Number(blankToUndefined(env.PORT) ?? 3000),
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
