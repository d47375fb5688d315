import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique key prefix per test file, so parallel files and a real install never share keys. */
export function uniquePrefix(name: string): string {
  return `test-store-${name}-${process.pid}-${Date.now()}`;
}

export function connect(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** Deletes every key under the prefix (SCAN, so it does not block a shared Redis). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/**
 * Counts what a connection sends: command names (every command, pipelined or not) and socket writes,
 * which is the number of round trips (ioredis writes a whole pipeline at once, a lone command alone).
 */
export function countCalls(redis: Redis) {
  const commands: string[] = [];
  let writes = 0;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    commands.push(command.name);
    return send(command, stream);
  };
  const socket = redis.stream;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    writes++;
    return write(...args);
  }) as typeof socket.write;
  return {
    commands,
    get roundTrips() {
      return writes;
    },
    reset() {
      commands.length = 0;
      writes = 0;
    },
  };
}
