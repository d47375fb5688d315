// Finds a Node.js new enough for LeadBridge. Written for any Node >= 18 (plain JavaScript, no TypeScript),
// because it runs before we know which Node we have. The `node-linux-<arch>` optional dependencies carry a
// current Node binary from the npm registry, so a machine whose own Node is older still runs LeadBridge
// after a plain `npm ci`, with no manual step.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The oldest Node LeadBridge runs on: type stripping needs 22.18, the `undici` it depends on 22.19. */
export const MINIMUM_NODE = [22, 19, 0];

export function isRecentEnough(version = process.versions.node) {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < MINIMUM_NODE.length; i += 1) {
    if ((parts[i] ?? 0) !== MINIMUM_NODE[i]) return (parts[i] ?? 0) > MINIMUM_NODE[i];
  }
  return true;
}

/** The bundled Node binary for this platform, or null when the optional dependency was not installed. */
export function bundledNode() {
  if (process.platform !== 'linux') return null;
  const require = createRequire(import.meta.url);
  try {
    const manifest = require.resolve(`node-linux-${process.arch}/package.json`);
    const binary = join(dirname(manifest), 'bin', 'node');
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

export function tooOldMessage() {
  return [
    `LeadBridge needs Node.js ${MINIMUM_NODE.join('.')} or newer; this is ${process.version}.`,
    `The bundled Node (optional dependency node-linux-${process.arch}) is not installed here.`,
    'Fix: install Node.js 22.19+ (https://nodejs.org or your package manager), or on Linux x64/arm64 run',
    '`npm ci` again without --omit=optional so the bundled Node is installed.',
  ].join('\n');
}
