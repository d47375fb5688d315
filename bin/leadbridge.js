#!/usr/bin/env node
// Runs the TypeScript sources directly through Node's built-in type stripping, so `npx leadbridge` works
// right after `npm ci` and always runs the code as it is. LEADBRIDGE_FROM_DIST=1 (used by the end-to-end
// tests) runs the `npm run build` output instead. On a Node older than LeadBridge needs, it hands over to
// the current Node that the optional `node-linux-<arch>` dependency installed (see modern-node.js).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledNode, isRecentEnough, tooOldMessage } from './modern-node.js';

if (!isRecentEnough()) {
  const node = bundledNode();
  if (node === null) {
    console.error(tooOldMessage());
    process.exit(2);
  }
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // The child gets Ctrl+C from the terminal itself; forward what a supervisor sends to this process only.
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  process.on('SIGINT', () => {});
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  const source = new URL('../src/cli/main.ts', import.meta.url);
  const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
  const wantCompiled = process.env.LEADBRIDGE_FROM_DIST === '1';
  if (wantCompiled && !existsSync(compiled)) {
    console.error('LEADBRIDGE_FROM_DIST=1 but there is no build: run `npm run build` first.');
    process.exit(2);
  }
  await import((wantCompiled ? compiled : source).href);
}
