import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const moduleUrl = new URL('../../../src/cli/young-generation.ts', import.meta.url).href;

/**
 * New-space size (MB) of a fresh Node process after it allocates 3 million small objects, keeping up to
 * 200,000 alive at a time (a batch of records surviving scavenges), with or without the setting.
 */
function newSpaceAfterBatches(keepSmall: boolean): number {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { keepYoungGenerationSmall } from ${JSON.stringify(moduleUrl)};
    if (${keepSmall}) keepYoungGenerationSmall();
    let batch = [];
    for (let i = 0; i < 3e6; i++) {
      batch.push({ id: i, email: 'lead' + i + '@example.org' });
      if (batch.length >= 200_000) batch = [];
    }
    const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(space.space_size / 1048576);
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return Number(result.stdout.trim());
}

describe('keepYoungGenerationSmall', () => {
  it('keeps the young generation at its starting size where V8 would grow it to tens of MB', () => {
    expect(newSpaceAfterBatches(false)).toBeGreaterThanOrEqual(16);
    expect(newSpaceAfterBatches(true)).toBeLessThanOrEqual(4);
  });
});
