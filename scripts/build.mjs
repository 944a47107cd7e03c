#!/usr/bin/env node
// The second half of `npm run build` (after tsc): what makes the CLI start fast.
// - dist/migrate.mjs + dist/chunks/: the CLI and its dependencies bundled (node then
//   resolves and reads a few files instead of several hundred: measured ~0.2 s off every
//   command), split so that a command loads only the code it runs.
// - dist/declaration-validator.cjs: the declaration schema's validator compiled ahead
//   of time by ajv (compiling it at every start cost ~0.1 s). Loaded when present; the
//   sources compile the schema themselves (tests run from them).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';
import { ajvOptions } from '../dist/engine/config/declaration-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

const schema = JSON.parse(readFileSync(join(root, 'schemas', 'migrate.schema.json'), 'utf8'));
const ajv = new Ajv2020({ ...ajvOptions, code: { source: true } });
ajv.addKeyword({ keyword: 'x-defaultByEngine', schemaType: 'object' });
writeFileSync(join(dist, 'declaration-validator.cjs'), standaloneCode.default(ajv, ajv.compile(schema)));

rmSync(join(dist, 'chunks'), { recursive: true, force: true });
await build({
  entryPoints: { migrate: join(dist, 'engine', 'cli', 'main.js') },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  // each command and each engine's provider (with its driver) is a chunk loaded on first
  // use: a PostgreSQL-only run does not compile mysql2 or tedious (~3.5 MB, ~0.2 s)
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // pg's optional native binding is never used
  external: ['pg-native'],
  // pg asks whether it runs in a Cloudflare Worker; on Node 20 (no navigator) the question
  // constructs a fetch Response, which loads undici: ~40 ms at every start. We are not a Worker.
  define: { navigator: '{"userAgent":"Node.js"}' },
  // CommonJS dependencies (pg) call require(): give the ESM bundle one
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
