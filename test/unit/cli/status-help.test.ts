import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../../helpers/cli.ts';

describe('leadbridge status --help', () => {
  it('names everything the README says status shows, dropped echoes included', () => {
    const result = spawnSync(process.execPath, [cliPath, 'status', '--help'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    expect(result.status).toBe(0);
    // Commander wraps the description to the terminal width.
    const help = result.stdout.replace(/\s+/g, ' ');
    for (const item of [
      'last successful poll',
      'backlog',
      'webhook echoes of our own writes dropped',
      'API budget',
      'failing records',
      'overdue leads',
      'duplicates',
      'parked writes',
      'exit 1 when records are failing',
    ])
      expect(help).toContain(item);
  });
});
