import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Shortest LEADBRIDGE_SECRET_KEY accepted (e.g. `openssl rand -base64 32` gives 44 characters). */
export const MIN_SECRET_KEY_LENGTH = 32;

const VERSION = 'v1';

/** LEADBRIDGE_SECRET_KEY is set but too short to be a key. */
export class WeakSecretKeyError extends Error {
  constructor() {
    super(
      `LEADBRIDGE_SECRET_KEY is shorter than ${MIN_SECRET_KEY_LENGTH} characters; generate one with \`openssl rand -base64 32\``,
    );
    this.name = 'WeakSecretKeyError';
  }
}

/**
 * AES-256-GCM for secrets LeadBridge keeps in Redis (OAuth tokens). The 256-bit key is derived from
 * LEADBRIDGE_SECRET_KEY with HKDF-SHA256; each value gets a fresh 96-bit IV, and the Redis key it is
 * stored under is bound in as associated data, so a value copied to another key does not decrypt.
 * Stored form: `v1:<iv>:<tag>:<ciphertext>`, base64url.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    if (secretKey.length < MIN_SECRET_KEY_LENGTH) throw new WeakSecretKeyError();
    this.key = Buffer.from(hkdfSync('sha256', secretKey, 'leadbridge', 'leadbridge token store v1', 32));
  }

  /** The box for LEADBRIDGE_SECRET_KEY, or undefined when it is not set (tokens then stay plain). */
  static fromEnv(secretKey: string | undefined): SecretBox | undefined {
    return secretKey === undefined || secretKey === '' ? undefined : new SecretBox(secretKey);
  }

  static isSealed(value: string): boolean {
    return value.startsWith(`${VERSION}:`);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), data]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join(':');
  }

  /** The plaintext, or null when the value was sealed with another key, for another context, or altered. */
  open(sealed: string, context: string): string | null {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || data === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      return null;
    }
  }
}
