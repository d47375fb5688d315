/** pino's numeric levels, as words. */
const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Fields every pino line carries that a person does not need to read. */
const SKIPPED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app', 'err']);

function errorText(err: unknown, showStacks: boolean): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const { message, code, stack } = err as { message?: string; code?: string; stack?: string };
  if (showStacks && stack) return stack;
  return [message, code && !message?.includes(code) ? `(${code})` : ''].filter(Boolean).join(' ');
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/**
 * One pino JSON line as a line for people: `HH:MM:SS level message key=value ...: error message`.
 * A line that is not JSON is passed through.
 */
export function formatLogLine(line: string, showStacks = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '';
  const level = LEVELS[entry.level as number] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([key]) => !SKIPPED.has(key))
    .map(([key, value]) => `${key}=${valueText(value)}`);
  const parts = [time, level.padEnd(5), String(entry.msg ?? ''), ...fields].filter(Boolean);
  const err = entry.err === undefined ? '' : `: ${errorText(entry.err, showStacks)}`;
  return `${parts.join(' ')}${err}`;
}
