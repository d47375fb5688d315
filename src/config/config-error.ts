/** One thing wrong with the config file: where, what, and what would be right. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** Bad config: the CLI prints `message` and exits with code 2 before writing anything. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  readonly file: string;

  constructor(file: string, problems: ConfigProblem[], options?: { cause?: unknown }) {
    const lines = problems.map((problem) => `  - ${problem.path || '(top level)'}: ${problem.message}`);
    super(
      `${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${lines.join('\n')}`,
      options,
    );
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

/** `tenants[0].hubspot.accessToken` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}
