import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// design.md, "Layers (imports point down only)". The table below is the rule; the tests check every
// import of the production code against it. To let a layer import a new one, add it here, in one
// direction only (the last test refuses a table where two layers may import each other).

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const LAYERED_ROOTS = ['src', 'connectors', 'jobs'];

type Layer =
  | 'src/domain'
  | 'src/errors'
  | 'src/log'
  | 'src/security'
  | 'src/config'
  | 'src/metrics'
  | 'src/store'
  | 'connectors/shared'
  | 'connectors/<system>'
  | 'connectors/index.ts'
  | 'jobs'
  | 'src/server'
  | 'src/cli';

/** Small helpers every layer above the domain may use; they know nothing of Redis, queues or HTTP routes. */
const LOW_LEVEL: Layer[] = ['src/errors', 'src/log', 'src/security', 'src/config', 'src/metrics'];

/**
 * Which layers each layer may import, besides its own files. `src/store` (Redis state) sits beside the
 * connectors: connectors keep their rate limits, tokens and budgets in it, so they may import it; the store
 * imports no connector. `connectors/shared` is the `Connector` contract (`connectors/types.ts`), the
 * other files directly in `connectors/` and `connectors/emulator-support/`; `connectors/index.ts` is the
 * registry that builds every connector. One connector folder never imports another.
 */
const CONNECTOR_MAY: Layer[] = ['src/domain', ...LOW_LEVEL, 'src/store', 'connectors/shared'];
const REGISTRY_MAY: Layer[] = [...CONNECTOR_MAY, 'connectors/<system>'];
const JOBS_MAY: Layer[] = [...REGISTRY_MAY, 'connectors/index.ts'];
const SERVER_MAY: Layer[] = [...JOBS_MAY, 'jobs'];
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  'src/domain': [],
  'src/errors': [],
  'src/log': [],
  'src/security': [],
  'src/config': ['src/domain'],
  'src/metrics': ['src/domain'],
  'src/store': ['src/domain', ...LOW_LEVEL],
  'connectors/shared': ['src/domain', ...LOW_LEVEL],
  'connectors/<system>': CONNECTOR_MAY,
  'connectors/index.ts': REGISTRY_MAY,
  jobs: JOBS_MAY,
  'src/server': SERVER_MAY,
  'src/cli': [...SERVER_MAY, 'src/server'],
};

/** Node modules that do I/O: the domain takes what it needs as parameters instead. */
const IO_BUILTINS = [
  'fs',
  'net',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'child_process',
  'worker_threads',
];
/** The SDKs and servers the connectors, jobs and front doors wrap. */
const SDK_PACKAGES = ['@hubspot/api-client', 'jsforce', 'bullmq', 'ioredis', 'express'];

/** A repo-relative file's place: its layer (a row of the table) and the exact unit, e.g. `connectors/hubspot`. */
interface Place {
  layer: Layer | undefined;
  unit: string;
}

function placeOf(file: string): Place {
  const [top, second, third] = file.split('/');
  if (top === 'jobs') return { layer: 'jobs', unit: 'jobs' };
  if (top === 'src' && third !== undefined) {
    const unit = `src/${second}`;
    return { layer: unit in MAY_IMPORT ? (unit as Layer) : undefined, unit };
  }
  if (top === 'connectors') {
    if (third === undefined)
      return second === 'index.ts'
        ? { layer: 'connectors/index.ts', unit: 'connectors/index.ts' }
        : { layer: 'connectors/shared', unit: 'connectors/shared' };
    if (second === 'emulator-support') return { layer: 'connectors/shared', unit: 'connectors/shared' };
    return { layer: 'connectors/<system>', unit: `connectors/${second}` };
  }
  return { layer: undefined, unit: top ?? file };
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(REPO, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

interface ModuleReference {
  specifier: string;
  line: number;
}

/** Every `import … from`, `export … from`, `import()` and `import('…')` type the file holds, comments excluded. */
function moduleReferences(file: string, text: string): ModuleReference[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ModuleReference[] = [];
  const add = (node: ts.Node, specifier: string) =>
    found.push({ specifier, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      add(node, node.moduleSpecifier.text);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression;
      add(node, ts.isStringLiteral(expression) ? expression.text : '<computed>');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      add(node, argument && ts.isStringLiteralLike(argument) ? argument.text : '<computed>');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) add(node, literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const sourceFiles = LAYERED_ROOTS.flatMap(filesUnder).sort();
const references = sourceFiles.map((file) => ({
  file,
  refs: moduleReferences(file, readFileSync(join(REPO, file), 'utf8')),
}));

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

/** The bare package or builtin a specifier names: `node:fs/promises` → `fs`, `@hubspot/api-client/lib/x.js` → `@hubspot/api-client`. */
function packageOf(specifier: string): string {
  const bare = specifier.replace(/^node:/, '');
  const parts = bare.split('/');
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? bare);
}

describe('imports point down only (design.md, "Layers")', () => {
  it('finds the production code to check', () => {
    expect(sourceFiles.length).toBeGreaterThan(100);
    expect(sourceFiles.filter((file) => file.startsWith('src/domain/')).length).toBeGreaterThan(10);
    expect(references.reduce((sum, { refs }) => sum + refs.length, 0)).toBeGreaterThan(500);
  });

  it('gives every file under src/, connectors/ and jobs/ a layer of the table', () => {
    const unplaced = sourceFiles.filter((file) => placeOf(file).layer === undefined);
    expect(unplaced, 'add the folder to MAY_IMPORT (and to README.md "Architecture")').toEqual([]);
  });

  it('has no import or dynamic import() that points to a computed path', () => {
    const computed = references.flatMap(({ file, refs }) =>
      refs.filter((ref) => ref.specifier === '<computed>').map((ref) => `${file}:${ref.line}`),
    );
    expect(computed, 'a computed specifier cannot be checked; name the module').toEqual([]);
  });

  it('imports only layers below (or beside, as the table says), and no connector imports another', () => {
    const violations: string[] = [];
    for (const { file, refs } of references) {
      const from = placeOf(file);
      for (const { specifier } of refs) {
        if (!isRelative(specifier)) continue;
        const target = posix.normalize(posix.join(posix.dirname(file), specifier));
        const to = placeOf(target);
        if (to.unit === from.unit) continue;
        const allowed =
          from.layer !== undefined && to.layer !== undefined && MAY_IMPORT[from.layer].includes(to.layer);
        if (!allowed)
          violations.push(`${file} -> ${target} (layer ${from.unit} may not import layer ${to.unit})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps src/domain free of I/O modules and SDKs', () => {
    const violations: string[] = [];
    for (const { file, refs } of references) {
      if (!file.startsWith('src/domain/')) continue;
      for (const { specifier, line } of refs) {
        if (isRelative(specifier)) continue;
        const name = packageOf(specifier);
        if (IO_BUILTINS.includes(name)) violations.push(`${file}:${line} -> ${specifier} (node I/O module)`);
        if (SDK_PACKAGES.includes(name)) violations.push(`${file}:${line} -> ${specifier} (SDK)`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('states each direction once: no two layers of the table may import each other', () => {
    const both = Object.entries(MAY_IMPORT).flatMap(([layer, allowed]) =>
      allowed
        .filter((other) => MAY_IMPORT[other].includes(layer as Layer))
        .map((other) => `${layer} <-> ${other}`),
    );
    expect(both).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('places files in their layers', () => {
    expect(placeOf('src/domain/lead.ts').layer).toBe('src/domain');
    expect(placeOf('connectors/types.ts').layer).toBe('connectors/shared');
    expect(placeOf('connectors/emulator-support/prng.ts').layer).toBe('connectors/shared');
    expect(placeOf('connectors/index.ts').layer).toBe('connectors/index.ts');
    expect(placeOf('connectors/hubspot/emulator/index.ts')).toEqual({
      layer: 'connectors/<system>',
      unit: 'connectors/hubspot',
    });
    expect(placeOf('jobs/reconcile/reconcile-batch.ts').layer).toBe('jobs');
    expect(placeOf('test/helpers/cli.ts').layer).toBeUndefined();
    expect(placeOf('src/nowhere/x.ts').layer).toBeUndefined();
  });

  it('reads static, type-only, re-export and dynamic imports, and skips comments and strings', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "export * from './d.ts';",
      "// import { e } from './e.ts';",
      "const f = 'import(\\'./f.ts\\')';",
      "type G = typeof import('./g.ts');",
      'async function h() {',
      "  return (await import('./h.ts')).h;",
      '}',
      'const name = "x";',
      'void import(`./${name}.ts`);',
    ].join('\n');
    expect(moduleReferences('x.ts', text)).toEqual([
      { specifier: './a.ts', line: 1 },
      { specifier: '../b.ts', line: 2 },
      { specifier: './c.ts', line: 3 },
      { specifier: './d.ts', line: 4 },
      { specifier: './g.ts', line: 7 },
      { specifier: './h.ts', line: 9 },
      { specifier: '<computed>', line: 12 },
    ]);
  });

  it('names the package a specifier imports', () => {
    expect(packageOf('node:fs/promises')).toBe('fs');
    expect(packageOf('@hubspot/api-client/lib/codegen/crm/contacts/index.js')).toBe('@hubspot/api-client');
    expect(packageOf('jsforce/lib/connection.js')).toBe('jsforce');
  });
});
