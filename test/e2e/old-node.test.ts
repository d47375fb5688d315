import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRecentEnough } from '../../bin/modern-node.js';
import { cliPath, repoRoot } from '../helpers/cli.ts';

// A fresh machine's own Node (20 on the machines this is built on): found where distributions put it.
function findOldNode(): string | null {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
    if (!isRecentEnough(version)) return candidate;
  }
  return null;
}

const oldNode = findOldNode();
if (oldNode === null) console.warn('old-node e2e: no Node older than 22.19 on this machine; skipped');

describe.runIf(oldNode !== null)('leadbridge on a machine whose Node is too old', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'leadbridge-old-node-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('hands over to the bundled Node and runs', () => {
    const result = spawnSync(oldNode!, [cliPath, '--version'], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(result.status).toBe(0);
  });

  it('passes the exit code through', () => {
    const result = spawnSync(oldNode!, [cliPath, 'no-such-command'], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('no-such-command');
  });

  it('without the bundled Node, says which Node is needed and how to get it (exit 2), with no crash', () => {
    // A copy of the launcher outside the package, where node_modules cannot be found.
    for (const file of ['leadbridge.js', 'modern-node.js', 'check-node.js']) {
      copyFileSync(join(repoRoot, 'bin', file), join(scratch, file));
    }
    for (const script of ['leadbridge.js', 'check-node.js']) {
      const result = spawnSync(oldNode!, [join(scratch, script)], { encoding: 'utf8' });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('needs Node.js 22.19.0 or newer');
      expect(result.stderr).toContain('Fix:');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
