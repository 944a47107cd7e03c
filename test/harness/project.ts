import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PgServer } from './embedded-postgres.js';

/** A declaration with profiles `src` and `dst` for two embedded servers, followed by `jobs` (YAML under `jobs:`). */
export function pgDeclaration(src: PgServer, dst: PgServer, jobs: string): string {
  return `version: 1
profiles:
  src: { engine: postgres, host: 127.0.0.1, port: ${src.port}, user: postgres }
  dst: { engine: postgres, host: 127.0.0.1, port: ${dst.port}, user: postgres }
jobs:
${jobs}`;
}

/** Write `migrate.yaml` into `dir` (a new temp directory by default) and return the directory. */
export function writeProject(yaml: string, dir = mkdtempSync(join(tmpdir(), 'migrate-test-'))): string {
  writeFileSync(join(dir, 'migrate.yaml'), yaml);
  return dir;
}
