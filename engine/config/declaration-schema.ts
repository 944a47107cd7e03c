import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv2020, AnySchemaObject, ValidateFunction } from 'ajv/dist/2020.js';

const SCHEMA_FILE = join('schemas', 'migrate.schema.json');

/**
 * Finds `schemas/migrate.schema.json` by walking up from this module, so the
 * same code works from the sources (engine/config) and from the build
 * (dist/engine/config), and the schema stays one file users can point an
 * editor at.
 */
function findSchemaFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${SCHEMA_FILE} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/**
 * allErrors: report every mistake at once; verbose: errors carry their schema, which
 * the diagnostics use for allowed keys, enum lists and descriptions.
 * strictRequired off: `then: { required: [ca] }` names a property defined beside the `if`.
 * The build compiles the same options ahead of time (scripts/build.mjs).
 */
export const ajvOptions = { allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false } as const;

let cached: { schema: AnySchemaObject; validate: ValidateFunction } | undefined;

/** The validator `npm run build` compiled next to the bundle (dist/declaration-validator.cjs), if this is the build. */
function precompiled(schemaFile: string): ValidateFunction | null {
  const file = join(dirname(dirname(schemaFile)), 'dist', 'declaration-validator.cjs');
  if (!existsSync(file) || !fileURLToPath(import.meta.url).startsWith(join(dirname(dirname(schemaFile)), 'dist'))) return null;
  return createRequire(import.meta.url)(file) as ValidateFunction;
}

function load(): { schema: AnySchemaObject; validate: ValidateFunction } {
  if (!cached) {
    const file = findSchemaFile();
    const schema = JSON.parse(readFileSync(file, 'utf8')) as AnySchemaObject;
    let validate = precompiled(file);
    if (!validate) {
      // loaded only here: the build's precompiled validator does not need ajv's compiler at all
      const { Ajv2020: Ajv } = createRequire(import.meta.url)('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 };
      const ajv = new Ajv(ajvOptions);
      ajv.addKeyword({ keyword: 'x-defaultByEngine', schemaType: 'object' });
      validate = ajv.compile(schema);
    }
    cached = { schema, validate };
  }
  return cached;
}

/** The declaration JSON Schema (draft 2020-12), parsed once. Treat as read-only. */
export function declarationSchema(): AnySchemaObject {
  return load().schema;
}

/** The compiled validator for one declaration file (allErrors, verbose). */
export function declarationValidator(): ValidateFunction {
  return load().validate;
}
