import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, formatPath, type ConfigProblem } from './config-error.ts';
import { interpolateEnv } from './interpolate.ts';
import { LeadBridgeConfig } from './schema.ts';

export const DEFAULT_CONFIG_PATH = 'leadbridge.config.yaml';

/** Parses and validates config text; throws ConfigError listing every problem. */
export function parseConfig(
  text: string,
  env: Record<string, string | undefined>,
  file = DEFAULT_CONFIG_PATH,
): LeadBridgeConfig {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => ({
        path: `line ${error.linePos?.[0].line ?? '?'}`,
        message: error.message,
      })),
    );
  }
  const { value, missing } = interpolateEnv(document.toJS(), env);
  const problems: ConfigProblem[] = missing.map(({ path, name }) => ({
    path: formatPath(path),
    message: `environment variable ${name} is not set; export it (see .env.example) or write \${${name}:-default}`,
  }));
  const result = LeadBridgeConfig.safeParse(value ?? {});
  if (!result.success) {
    // A path whose env variable is missing already has the useful message; zod's would only repeat it.
    const pathsWithMissingVariables = new Set(problems.map((problem) => problem.path));
    problems.push(
      ...describeIssues(result.error.issues).filter(
        (problem) => !pathsWithMissingVariables.has(problem.path),
      ),
    );
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(file, dedupe(problems));
  return result.data;
}

/** Reads the config file named by --config, LEADBRIDGE_CONFIG or the default. */
export async function loadConfig(
  path: string,
  env: Record<string, string | undefined> = process.env,
): Promise<LeadBridgeConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      path,
      [
        {
          path: '',
          message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'}); copy leadbridge.config.example.yaml to ${path} or pass --config`,
        },
      ],
      { cause: error },
    );
  }
  return parseConfig(text, env, path);
}

function describeIssues(issues: z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return { path, message: `unknown key(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}` };
    }
    return { path, message: issue.message };
  });
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
