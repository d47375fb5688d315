import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MINIMUM_NODE, bundledNode, isRecentEnough } from '../../../bin/modern-node.js';

describe('the Node version LeadBridge needs', () => {
  it('is 22.19 (undici needs it), not 22.18', () => {
    expect(isRecentEnough('22.18.0')).toBe(false);
    expect(isRecentEnough('20.20.2')).toBe(false);
    expect(isRecentEnough('22.19.0')).toBe(true);
    expect(isRecentEnough('22.20.1')).toBe(true);
    expect(isRecentEnough('23.0.0')).toBe(true);
    expect(isRecentEnough('24.22.3')).toBe(true);
  });

  it('is the floor package.json declares', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    expect(manifest.engines.node).toBe(`>=${MINIMUM_NODE[0]}.${MINIMUM_NODE[1]}`);
  });

  it.runIf(process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch))(
    'is what the bundled node-linux-<arch> binary provides',
    () => {
      const binary = bundledNode();
      expect(binary).not.toBeNull();
      const version = execFileSync(binary!, ['--version'], { encoding: 'utf8' }).trim();
      expect(isRecentEnough(version.replace(/^v/, ''))).toBe(true);
    },
  );
});
