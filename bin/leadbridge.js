#!/usr/bin/env node
// Runs the TypeScript sources directly through Node's built-in type stripping (Node >= 22.18), so
// `npx leadbridge` works right after `npm ci` and always runs the code as it is. LEADBRIDGE_FROM_DIST=1
// (used by the end-to-end tests) or a Node without type stripping runs the `npm run build` output instead.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const wantCompiled = process.env.LEADBRIDGE_FROM_DIST === '1' || !process.features.typescript;

if (wantCompiled && !existsSync(compiled)) {
  console.error(
    process.features.typescript
      ? 'LEADBRIDGE_FROM_DIST=1 but there is no build: run `npm run build` first.'
      : `leadbridge needs Node.js 22.18 or newer (this is ${process.version}), or a build: run \`npm run build\`.`,
  );
  process.exit(2);
}
await import((wantCompiled ? compiled : source).href);
