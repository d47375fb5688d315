import { ConfigError } from '../config/config-error.ts';
import type { Logger } from '../log/logger.ts';
import { SecretBox, WeakSecretKeyError } from '../store/secret-box.ts';
import type { RuntimeEnv } from './runtime-env.ts';

/** What `start`, `worker` and `doctor` say when tokens would be kept in Redis as plain text. */
export const NO_SECRET_KEY_WARNING =
  'LEADBRIDGE_SECRET_KEY is not set: OAuth tokens (Salesforce, HubSpot public apps) are stored in Redis unencrypted; set it to a random value (`openssl rand -base64 32`) and keep it with your other secrets';

/**
 * The box that seals the tokens LeadBridge keeps in Redis, from LEADBRIDGE_SECRET_KEY; without the key
 * a warning and no box (tokens stay readable to anyone who can read Redis). A key that is set but too
 * short is a configuration error (exit 2), never silently ignored.
 */
export function tokenBox(env: Pick<RuntimeEnv, 'secretKey'>, logger?: Logger): SecretBox | undefined {
  try {
    const box = SecretBox.fromEnv(env.secretKey);
    if (!box) logger?.warn(NO_SECRET_KEY_WARNING);
    return box;
  } catch (error) {
    if (error instanceof WeakSecretKeyError)
      throw new ConfigError('environment', [{ path: 'LEADBRIDGE_SECRET_KEY', message: error.message }]);
    throw error;
  }
}
