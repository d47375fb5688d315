// Apart from the logger (and pino), so `--help` can list the formats without loading either.

/** `json`: one JSON object per line (for log shippers); `pretty`: one short human line per entry. */
export type LogFormat = 'json' | 'pretty';

export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];
