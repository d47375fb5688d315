import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Loads `.env` from the working directory when there is one, the way `node --env-file` does: variables
 * already set in the environment win over the file. Returns the path loaded, or null.
 * https://nodejs.org/api/process.html#processloadenvfilepath
 */
export function loadDotEnv(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | null {
  const path = resolve(cwd, '.env');
  if (!existsSync(path)) return null;
  const before = { ...env };
  process.loadEnvFile(path);
  // process.loadEnvFile keeps existing variables on current Node; restate it so that never changes.
  for (const [name, value] of Object.entries(before)) if (value !== undefined) env[name] = value;
  return path;
}
