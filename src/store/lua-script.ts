import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run by its SHA1 (`EVALSHA`), sent in full only when this Redis has not cached it yet
 * (`NOSCRIPT`, after a restart or `SCRIPT FLUSH`), so a batch call stays one small round trip.
 * https://redis.io/docs/latest/commands/evalsha/
 */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    // One array, not spread arguments: a batch of thousands of records has hundreds of thousands of
    // arguments, past what a JavaScript call can take (RangeError); ioredis sends an array's items.
    const list = [...keys, ...args.map(String)];
    try {
      return await redis.evalsha(this.#sha, keys.length, list);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.#source, keys.length, list);
    }
  }
}
