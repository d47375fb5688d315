#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` has produced it, otherwise the TypeScript sources
// directly through Node's built-in type stripping (Node >= 22.18), so `npx leadbridge` works right
// after `npm ci` with no build step.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const useSource = process.env.LEADBRIDGE_FROM_SOURCE === '1' || !existsSync(compiled);

if (useSource && !process.features.typescript) {
  console.error(
    `leadbridge needs Node.js 22.18 or newer (this is ${process.version}), or a build: run \`npm run build\`.`,
  );
  process.exit(2);
}
await import(useSource ? new URL('../src/cli/main.ts', import.meta.url).href : compiled.href);
