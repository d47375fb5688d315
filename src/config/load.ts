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
  // prettyErrors would quote the offending lines, and a config line may hold a literal secret: the
  // problem is described by its position and kind only.
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => ({
        path: yamlPosition(text, error.pos[0]),
        message: yamlProblem(error.code),
      })),
    );
  }
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    // e.g. an alias whose anchor is missing; yaml's message quotes the alias, so it is not passed on.
    const code = error instanceof ReferenceError ? 'BAD_ALIAS' : 'IMPOSSIBLE';
    throw new ConfigError(file, [{ path: '', message: yamlProblem(code) }], { cause: error });
  }
  const { value, missing } = interpolateEnv(data, env);
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

/** `line 3, column 7` of a character offset. */
function yamlPosition(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i += 1) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${end - lineStart + 1}`;
}

/** What is wrong, by the YAML parser's error code; never the text around it. */
const YAML_PROBLEMS: Record<string, string> = {
  MISSING_CHAR: 'a closing quote, bracket or "-" is missing',
  BAD_INDENT: 'wrong indentation (or a flow collection that is not closed)',
  TAB_AS_INDENT: 'a tab is used for indentation; YAML needs spaces',
  BLOCK_AS_IMPLICIT_KEY: 'a nested mapping is written where a key was expected (a missing space or newline?)',
  MULTILINE_IMPLICIT_KEY: 'a key runs over several lines (a missing ":"?)',
  DUPLICATE_KEY: 'the same key appears twice in one mapping',
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted string',
  BAD_SCALAR_START: 'a value starts with a character YAML reserves (quote it)',
  UNEXPECTED_TOKEN: 'unexpected characters (quote the value?)',
  BAD_ALIAS: 'an alias (*name) that no anchor defines',
  TAG_RESOLVE_FAILED: 'an unknown tag (!something)',
  MULTIPLE_DOCS: 'more than one YAML document in the file',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
  BLOCK_IN_FLOW: 'a block collection inside a flow collection ([...] or {...})',
};

function yamlProblem(code: string): string {
  return `YAML syntax error: ${YAML_PROBLEMS[code] ?? 'the file is not valid YAML'} (${code})`;
}

/**
 * LeadBridge's keys are camelCase words with a few digits at most (`burstLimitPer10s`); tokens and
 * secrets carry dashes, underscores or many digits (`sk-LIVE-0c1d…`, `pat-na1-…`, `a1b2c3d4e5f6`).
 */
function looksLikeConfigKey(key: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]{0,47}$/.test(key) && (key.match(/[0-9]/g) ?? []).length <= 3;
}

function describeIssues(issues: z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      // A key is quoted only when it looks like one: a broken line can turn a value (a secret) into a key.
      const named = issue.keys.map((key) =>
        looksLikeConfigKey(key) ? `"${key}"` : 'a key that is not a plain name (a missing space or quote?)',
      );
      return { path, message: `unknown key(s) ${named.join(', ')}` };
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
