import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { AnySchemaObject, ValidateFunction } from 'ajv/dist/2020.js';

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

let cached: { schema: AnySchemaObject; validate: ValidateFunction } | undefined;

function load(): { schema: AnySchemaObject; validate: ValidateFunction } {
  if (!cached) {
    const schema = JSON.parse(readFileSync(findSchemaFile(), 'utf8')) as AnySchemaObject;
    // allErrors: report every mistake at once; verbose: errors carry their schema, which
    // the diagnostics use for allowed keys, enum lists and descriptions.
    // strictRequired off: `then: { required: [ca] }` names a property defined beside the `if`.
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false });
    ajv.addKeyword({ keyword: 'x-defaultByEngine', schemaType: 'object' });
    cached = { schema, validate: ajv.compile(schema) };
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
