/** Messages ioredis gives a command that could not reach Redis (ioredis 6, built/utils and Redis.js). */
const UNREACHABLE = [
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /Reached the max retries per request limit/i,
  /Command timed out/i,
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH/,
  /LOADING Redis is loading/,
  // Redis Cluster while a master fails over or a slot moves (ioredis cluster/index.js); it passes.
  /\bCLUSTERDOWN\b|\bTRYAGAIN\b|Failed to refresh slots cache|None of startup nodes is available/,
  /Too many Cluster redirections/,
];

/**
 * Pure: whether `error` (or one of its causes) says Redis could not be reached: a restart or a network
 * cut, which passes, not a bad command. Steps that are safe to repeat retry on it.
 */
export function isRedisUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { name, message, code, cause } = current as {
      name?: unknown;
      message?: unknown;
      code?: unknown;
      cause?: unknown;
    };
    if (name === 'MaxRetriesPerRequestError') return true;
    const text = `${typeof code === 'string' ? code : ''} ${typeof message === 'string' ? message : ''}`;
    if (UNREACHABLE.some((pattern) => pattern.test(text))) return true;
    current = cause;
  }
  return false;
}
