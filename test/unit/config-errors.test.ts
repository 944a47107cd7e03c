import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDeclaration } from '../../engine/config/load-declaration.js';
import { formatDiagnostic } from '../../engine/diagnostics/diagnostic.js';

/** One expected diagnostic: `at` is `file:line:column` with the file's base name. */
interface Expected {
  at: string;
  field?: string;
  summary: string;
  detail?: string;
}

interface Case {
  name: string;
  /** File name → contents; a single file is loaded as a file, several as a directory. */
  files: Record<string, string>;
  /** The complete list of diagnostics, in order: extra noise fails the test too. */
  expected: Expected[];
}

const lines = (...ls: string[]): string => `${ls.join('\n')}\n`;

// Lines 1-7 of most cases: two valid postgres profiles.
const BASE = [
  'version: 1',
  'profiles:',
  '  src:',
  '    engine: postgres',
  '    host: 127.0.0.1',
  '    user: postgres',
  '  dst: { engine: postgres, host: 127.0.0.1, user: postgres }',
];
const withBase = (...ls: string[]): string => lines(...BASE, ...ls);
// Lines 8-12: one valid job; cases append job keys from line 13 on.
const JOB = ['jobs:', '  j:', '    source: src', '    destination: dst', '    databases: [{ name: shop }]'];
const withJob = (...ls: string[]): string => withBase(...JOB, ...ls);

const root = mkdtempSync(join(tmpdir(), 'migrate-config-errors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

function writeCase(files: Record<string, string>): string {
  const dir = join(root, `case-${counter++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const names = Object.keys(files);
  return names.length === 1 ? join(dir, names[0] as string) : dir;
}

async function load(files: Record<string, string>) {
  const path = writeCase(files);
  const result = await loadDeclaration(path);
  const base = Object.keys(files).length === 1 ? path.slice(0, path.lastIndexOf('/')) : path;
  const actual = result.diagnostics.map((d) => {
    const at = d.location ? `${d.location.file.slice(base.length + 1)}:${d.location.line}:${d.location.column}` : '';
    return { at, field: d.field, summary: d.summary, detail: d.detail, severity: d.severity };
  });
  return { result, actual, base };
}

function check(actual: Awaited<ReturnType<typeof load>>['actual'], expected: Expected[]): void {
  expect(actual.map((a) => ({ at: a.at, field: a.field, summary: a.summary }))).toEqual(
    expected.map((e) => ({ at: e.at, field: e.field, summary: e.summary })),
  );
  expected.forEach((e, i) => {
    if (e.detail !== undefined) expect(actual[i]?.detail).toBe(e.detail);
  });
  for (const a of actual) expect(a.severity).toBe('error');
}

const cases: Case[] = [
  // 1. YAML syntax errors and duplicate keys (positions from the parser).
  {
    name: 'YAML syntax error: unclosed flow mapping',
    files: { 'm.yaml': lines('version: 1', 'profiles:', '  src: { engine: postgres', '  dst: x') },
    expected: [
      {
        at: 'm.yaml:4:3',
        summary: 'YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
      },
    ],
  },
  {
    name: 'YAML syntax error: unterminated quote',
    files: { 'm.yaml': lines('version: 1', 'profiles:', '  src:', '    host: "oops') },
    expected: [{ at: 'm.yaml:5:1', summary: 'YAML syntax error: Missing closing "quote' }],
  },
  {
    name: 'duplicate key in one mapping',
    files: {
      'm.yaml': lines('version: 1', 'profiles:', '  src:', '    engine: postgres', '    host: a', '    user: u', '    host: b'),
    },
    expected: [{ at: 'm.yaml:7:5', field: 'profiles.src.host', summary: 'duplicate key "host" in the same mapping' }],
  },
  {
    name: 'duplicate key at the top level',
    files: { 'm.yaml': lines('version: 1', 'jobs: {}', 'version: 1') },
    expected: [{ at: 'm.yaml:3:1', field: 'version', summary: 'duplicate key "version" in the same mapping' }],
  },
  {
    name: 'several YAML documents in one file',
    files: { 'm.yaml': lines('version: 1', '---', 'version: 1') },
    expected: [{ at: 'm.yaml:2:1', summary: 'a declaration file holds one YAML document' }],
  },
  // 2. Wrong type.
  {
    name: 'port is a string',
    files: {
      'm.yaml': lines(
        'version: 1',
        'profiles:',
        '  src:',
        '    engine: postgres',
        '    host: h',
        '    user: u',
        '    port: "abc"',
      ),
    },
    expected: [{ at: 'm.yaml:7:11', field: 'profiles.src.port', summary: 'must be an integer, got a string' }],
  },
  {
    name: 'profiles is a list, host is a number',
    files: { 'm.yaml': lines('version: 1', 'profiles:', '  src: { engine: postgres, host: 42, user: u }', 'jobs: [a]') },
    expected: [
      { at: 'm.yaml:3:34', field: 'profiles.src.host', summary: 'must be a string, got an integer' },
      { at: 'm.yaml:4:7', field: 'jobs', summary: 'must be a mapping, got a list' },
    ],
  },
  {
    name: 'a profile with no value',
    files: { 'm.yaml': lines('version: 1', 'profiles:', '  src:') },
    expected: [{ at: 'm.yaml:3:3', field: 'profiles.src', summary: 'must be a mapping, got nothing' }],
  },
  // 3. Unknown keys.
  {
    name: 'unknown key with a close match',
    files: { 'm.yaml': withJob('    paralelism: 4') },
    expected: [
      {
        at: 'm.yaml:13:5',
        field: 'jobs.j.paralelism',
        summary: 'unknown key "paralelism"',
        detail: 'did you mean "parallelism"?',
      },
    ],
  },
  {
    name: 'unknown key at the top level, and one with no close match',
    files: {
      'm.yaml': lines(
        'version: 1',
        'profiles:',
        '  src:',
        '    engine: postgres',
        '    host: h',
        '    user: u',
        '    colour: blue',
        'profile: {}',
      ),
    },
    expected: [
      {
        at: 'm.yaml:7:5',
        field: 'profiles.src.colour',
        summary: 'unknown key "colour"',
        detail: 'allowed keys: engine, host, port, user, password, database, tls',
      },
      { at: 'm.yaml:8:1', field: 'profile', summary: 'unknown key "profile"', detail: 'did you mean "profiles"?' },
    ],
  },
  // 4. Missing required fields.
  {
    name: 'profile without host',
    files: { 'm.yaml': lines('version: 1', 'profiles:', '  src:', '    engine: postgres', '    user: postgres') },
    expected: [
      {
        at: 'm.yaml:3:3',
        field: 'profiles.src.host',
        summary: 'missing required key "host"',
        detail: 'Host name or IP address.',
      },
    ],
  },
  {
    name: 'job without databases, database without name',
    files: {
      'm.yaml': withBase(
        'jobs:',
        '  j: { source: src, destination: dst }',
        '  k:',
        '    source: src',
        '    destination: dst',
        '    databases:',
        '      - target: x',
      ),
    },
    expected: [
      { at: 'm.yaml:9:3', field: 'jobs.j.databases', summary: 'missing required key "databases"' },
      { at: 'm.yaml:14:9', field: 'jobs.k.databases[0].name', summary: 'missing required key "name"' },
    ],
  },
  // 5. Bad enum values.
  {
    name: 'bad job type with a suggestion',
    files: { 'm.yaml': withJob('    type: contiuous') },
    expected: [
      {
        at: 'm.yaml:13:11',
        field: 'jobs.j.type',
        summary: 'must be one of: one-time, continuous',
        detail: 'did you mean "continuous"?',
      },
    ],
  },
  {
    name: 'bad engine and tls mode',
    files: {
      'm.yaml': lines(
        'version: 1',
        'profiles:',
        '  src:',
        '    engine: mongo',
        '    host: h',
        '    user: u',
        '    tls: { mode: strict }',
      ),
    },
    expected: [
      { at: 'm.yaml:4:13', field: 'profiles.src.engine', summary: 'must be one of: postgres, mysql, sqlserver, oracle' },
      { at: 'm.yaml:7:18', field: 'profiles.src.tls.mode', summary: 'must be one of: disable, require, verify-ca, verify-full' },
    ],
  },
  // 6. Unknown profiles referenced by a job.
  {
    name: 'unknown source and destination profiles',
    files: {
      'm.yaml': withBase('jobs:', '  j:', '    source: srcc', '    destination: cloud', '    databases: [{ name: shop }]'),
    },
    expected: [
      { at: 'm.yaml:10:13', field: 'jobs.j.source', summary: 'unknown profile "srcc"', detail: 'did you mean "src"?' },
      {
        at: 'm.yaml:11:18',
        field: 'jobs.j.destination',
        summary: 'unknown profile "cloud"',
        detail: 'declared profiles: src, dst',
      },
    ],
  },
  // 7. Same source and destination.
  {
    name: 'job copying a profile onto itself',
    files: { 'm.yaml': withBase('jobs:', '  j: { source: src, destination: src, databases: [{ name: shop }] }') },
    expected: [{ at: 'm.yaml:9:34', field: 'jobs.j.destination', summary: 'source and destination are the same profile "src"' }],
  },
  // 8. Bad table patterns.
  {
    name: 'bad table patterns',
    files: {
      'm.yaml': withBase(
        'jobs:',
        '  j:',
        '    source: src',
        '    destination: dst',
        '    databases:',
        '      - name: shop',
        '        tables:',
        '          include: ["public", "", "a.b.c", "public.[x]"]',
        '          exclude:',
        '            - "public.ok_*"',
        "            - '\"unterminated.x'",
      ),
    },
    expected: [
      {
        at: 'm.yaml:15:21',
        field: 'jobs.j.databases[0].tables.include[0]',
        summary:
          'invalid table pattern "public": missing "." between schema and table: write schema.table (e.g. public.* for every table in public)',
      },
      { at: 'm.yaml:15:31', field: 'jobs.j.databases[0].tables.include[1]', summary: 'invalid table pattern "": empty pattern' },
      {
        at: 'm.yaml:15:35',
        field: 'jobs.j.databases[0].tables.include[2]',
        summary:
          'invalid table pattern "a.b.c": too many "." separators: a pattern is schema.table (quote names containing dots)',
      },
      {
        at: 'm.yaml:15:44',
        field: 'jobs.j.databases[0].tables.include[3]',
        summary:
          'invalid table pattern "public.[x]": invalid character "[": quote names with other characters, e.g. public."odd[name]"',
      },
      {
        at: 'm.yaml:18:15',
        field: 'jobs.j.databases[0].tables.exclude[1]',
        summary: 'invalid table pattern "\\"unterminated.x": unterminated quote',
      },
    ],
  },
  {
    name: 'empty include list',
    files: {
      'm.yaml': withBase(
        'jobs:',
        '  j:',
        '    source: src',
        '    destination: dst',
        '    databases: [{ name: shop, tables: { include: [] } }]',
      ),
    },
    expected: [{ at: 'm.yaml:12:50', field: 'jobs.j.databases[0].tables.include', summary: 'must list at least one item' }],
  },
  // 10. Literal password; 11. bad reference syntax.
  {
    name: 'literal password',
    files: {
      'm.yaml': lines(
        'version: 1',
        'profiles:',
        '  src:',
        '    engine: postgres',
        '    host: h',
        '    user: u',
        '    password: hunter2',
      ),
    },
    expected: [
      {
        at: 'm.yaml:7:15',
        field: 'profiles.src.password',
        summary: 'password must not be written in the declaration',
        detail: 'use ${env:NAME} (an environment variable) or ${file:PATH} (a file holding the password)',
      },
    ],
  },
  {
    name: 'bad secret references',
    files: {
      'm.yaml': lines(
        'version: 1',
        'profiles:',
        '  a: { engine: postgres, host: h, user: u, password: "${env:}" }',
        '  b: { engine: postgres, host: h, user: u, password: "${vault:x}" }',
        '  c: { engine: postgres, host: h, user: u, password: "${env:1X}" }',
        '  d: { engine: postgres, host: h, user: u, password: "${env:X" }',
        '  e: { engine: postgres, host: h, user: u, password: 12345 }',
      ),
    },
    expected: [
      {
        at: 'm.yaml:3:54',
        field: 'profiles.a.password',
        summary: 'invalid secret reference',
        detail: 'empty variable name in ${env:…}',
      },
      {
        at: 'm.yaml:4:54',
        field: 'profiles.b.password',
        summary: 'invalid secret reference',
        detail: 'unknown secret source "vault": expected ${env:NAME} or ${file:PATH}',
      },
      {
        at: 'm.yaml:5:54',
        field: 'profiles.c.password',
        summary: 'invalid secret reference',
        detail: 'invalid environment variable name in ${env:…}: use letters, digits and _, not starting with a digit',
      },
      {
        at: 'm.yaml:6:54',
        field: 'profiles.d.password',
        summary: 'invalid secret reference',
        detail: 'malformed secret reference: expected ${env:NAME} or ${file:PATH}',
      },
      { at: 'm.yaml:7:54', field: 'profiles.e.password', summary: 'must be a string, got an integer' },
    ],
  },
  // 12. Version.
  {
    name: 'version missing',
    files: { 'm.yaml': lines('# a comment first', 'profiles: {}') },
    expected: [{ at: 'm.yaml:2:1', field: 'version', summary: 'missing required key "version"' }],
  },
  {
    name: 'version 2',
    files: { 'm.yaml': lines('version: 2') },
    expected: [
      {
        at: 'm.yaml:1:10',
        field: 'version',
        summary: 'must be 1',
        detail: 'Declaration format version. Every file must say `version: 1`.',
      },
    ],
  },
  {
    name: 'version "1" (a string)',
    files: { 'm.yaml': lines('version: "1"') },
    expected: [{ at: 'm.yaml:1:10', field: 'version', summary: 'must be 1' }],
  },
  // 13. Empty files and non-mapping top levels.
  { name: 'empty file', files: { 'm.yaml': '' }, expected: [{ at: 'm.yaml:1:1', summary: 'file is empty' }] },
  {
    name: 'comments only',
    files: { 'm.yaml': lines('# nothing', '# here') },
    expected: [{ at: 'm.yaml:1:1', summary: 'file is empty' }],
  },
  {
    name: 'top level is a list',
    files: { 'm.yaml': lines('# c', '- version: 1') },
    expected: [{ at: 'm.yaml:2:1', summary: 'the top level must be a mapping (key: value lines), got a list' }],
  },
  {
    name: 'top level is a scalar',
    files: { 'm.yaml': lines('version 1') },
    expected: [{ at: 'm.yaml:1:1', summary: 'the top level must be a mapping (key: value lines), got a single value' }],
  },
  // 14. Parallelism.
  ...(
    [
      ['0', 'must be an integer from 1 to 64'],
      ['65', 'must be an integer from 1 to 64'],
      ['2.5', 'must be min, optimal, max or an integer from 1 to 64'],
      ['fast', 'must be min, optimal, max or an integer from 1 to 64'],
      ['"8"', 'must be min, optimal, max or an integer from 1 to 64'],
    ] as const
  ).map(([value, summary]): Case => ({
    name: `parallelism ${value}`,
    files: { 'm.yaml': withJob(`    parallelism: ${value}`) },
    expected: [{ at: 'm.yaml:13:18', field: 'jobs.j.parallelism', summary }],
  })),
  // 14b. Zero dates: null (default), error, -infinity, infinity or a real YYYY-MM-DD date.
  ...[
    'nul',
    'zero',
    '0000-00-00',
    '0000-01-01',
    '1970-13-01',
    '2020-00-15',
    '1970-1-1',
    '1970-01-01 00:00:00',
    '5',
    '[null]',
  ].map((value): Case => ({
    name: `zeroDates ${value}`,
    files: { 'm.yaml': withJob(`    zeroDates: ${value.includes(' ') ? `"${value}"` : value}`) },
    expected: [
      {
        at: 'm.yaml:13:16',
        field: 'jobs.j.zeroDates',
        summary: 'must be null, error, -infinity, infinity or a YYYY-MM-DD date from 0001-01-01 (e.g. 1970-01-01)',
      },
    ],
  })),
  // 15. Databases repeated in one job.
  {
    name: 'duplicate database name, duplicate targets',
    files: {
      'm.yaml': withBase(
        'jobs:',
        '  j:',
        '    source: src',
        '    destination: dst',
        '    databases:',
        '      - name: shop',
        '      - name: shop',
        '      - name: orders',
        '        target: shop',
        '      - name: billing',
        '        target: ledger',
        '      - name: ledger',
      ),
    },
    expected: [
      {
        at: 'm.yaml:14:15',
        field: 'jobs.j.databases[1].name',
        summary: 'database "shop" is listed twice in this job',
        detail: 'first listed at line 13, column 15',
      },
      {
        at: 'm.yaml:16:17',
        field: 'jobs.j.databases[2].target',
        summary: 'two databases of this job go to the same target "shop"',
      },
      {
        at: 'm.yaml:19:15',
        field: 'jobs.j.databases[4].name',
        summary: 'two databases of this job go to the same target "ledger"',
      },
    ],
  },
  {
    name: 'database names empty or too long',
    files: {
      'm.yaml': withBase(
        'jobs:',
        '  j:',
        '    source: src',
        '    destination: dst',
        `    databases: [{ name: "" }, { name: ${'x'.repeat(64)} }]`,
      ),
    },
    expected: [
      { at: 'm.yaml:12:25', field: 'jobs.j.databases[0].name', summary: 'must not be empty' },
      { at: 'm.yaml:12:39', field: 'jobs.j.databases[1].name', summary: 'must be at most 63 characters' },
    ],
  },
  // 16. Unsupported engine pairs.
  {
    name: 'mysql to sqlserver',
    files: {
      'm.yaml': lines(
        'version: 1',
        'profiles:',
        '  my: { engine: mysql, host: h, user: u }',
        '  ms: { engine: sqlserver, host: h, user: u }',
        'jobs:',
        '  j: { source: my, destination: ms, databases: [{ name: shop }] }',
      ),
    },
    expected: [{ at: 'm.yaml:6:33', field: 'jobs.j.destination', summary: 'unsupported migration mysql → sqlserver' }],
  },
  {
    name: 'oracle to oracle (Oracle is a source only)',
    files: {
      'm.yaml': lines(
        'version: 1',
        'profiles:',
        '  a: { engine: oracle, host: h, user: u }',
        '  b: { engine: oracle, host: i, user: u }',
        'jobs:',
        '  j: { source: a, destination: b, databases: [{ name: shop }] }',
      ),
    },
    expected: [{ at: 'm.yaml:6:32', field: 'jobs.j.destination', summary: 'unsupported migration oracle → oracle' }],
  },
  // 17. Huge file.
  {
    name: 'file over 5 MiB is refused unparsed',
    files: { 'm.yaml': `version: 1\n${'#'.repeat(5 * 1024 * 1024)}\n` },
    expected: [{ at: 'm.yaml:1:1', summary: 'file is too large (5.0 MiB; the limit is 5 MiB)' }],
  },
  // 18. Backend problems.
  {
    name: 'backend in two files',
    files: {
      'a.yaml': lines('version: 1', 'backend: { type: local }'),
      'b.yaml': lines('version: 1', '', 'backend:', '  path: state'),
    },
    expected: [{ at: 'b.yaml:3:1', field: 'backend', summary: 'backend is declared in two files: first at {dir}/a.yaml:2:1' }],
  },
  {
    name: 'postgres backend: unknown profile, then a mysql profile',
    files: {
      'a.yaml': lines('version: 1', 'backend:', '  type: postgres', '  profile: control'),
      'b.yaml': lines('version: 1', 'profiles:', '  ctl: { engine: mysql, host: h, user: u }'),
    },
    expected: [
      { at: 'a.yaml:4:12', field: 'backend.profile', summary: 'unknown profile "control"', detail: 'declared profiles: ctl' },
    ],
  },
  {
    name: 'postgres backend on a mysql profile',
    files: {
      'm.yaml': lines(
        'version: 1',
        'backend: { type: postgres, profile: ctl }',
        'profiles:',
        '  ctl: { engine: mysql, host: h, user: u }',
      ),
    },
    expected: [
      { at: 'm.yaml:2:37', field: 'backend.profile', summary: 'the postgres backend needs a postgres profile, "ctl" is mysql' },
    ],
  },
  {
    name: 'backend: unknown type, missing profile, key of the other type',
    files: {
      'a.yaml': lines('version: 1', 'backend: { type: s3 }'),
      'b.yaml': lines('version: 1', 'backend: { type: postgres }'),
      'c.yaml': lines('version: 1', 'backend: { type: local, schema: x }'),
    },
    expected: [
      { at: 'a.yaml:2:18', field: 'backend.type', summary: 'must be one of: local, postgres' },
      { at: 'b.yaml:2:1', field: 'backend.profile', summary: 'missing required key "profile"' },
      { at: 'b.yaml:2:1', field: 'backend', summary: 'backend is declared in two files: first at {dir}/a.yaml:2:1' },
      { at: 'c.yaml:2:1', field: 'backend', summary: 'backend is declared in two files: first at {dir}/a.yaml:2:1' },
      { at: 'c.yaml:2:25', field: 'backend.schema', summary: 'unknown key "schema"', detail: 'allowed keys: type, path' },
    ],
  },
  // 19. TLS verification without a CA.
  {
    name: 'verify-full without ca',
    files: {
      'm.yaml': lines(
        'version: 1',
        'profiles:',
        '  src:',
        '    engine: postgres',
        '    host: h',
        '    user: u',
        '    tls:',
        '      mode: verify-full',
      ),
    },
    expected: [
      {
        at: 'm.yaml:7:5',
        field: 'profiles.src.tls.ca',
        summary: 'missing required key "ca"',
        detail: 'verify-ca and verify-full check the server certificate against `ca`: set `ca` to the path of a CA bundle (PEM).',
      },
    ],
  },
  // Names.
  {
    name: 'invalid profile and job names',
    files: {
      'm.yaml': lines(
        'version: 1',
        'profiles:',
        '  Legacy: { engine: postgres, host: h, user: u }',
        'jobs:',
        '  9lives: { source: Legacy, destination: x, databases: [{ name: a }] }',
      ),
    },
    expected: [
      { at: 'm.yaml:3:3', field: 'profiles.Legacy', summary: 'invalid name "Legacy"' },
      { at: 'm.yaml:5:3', field: 'jobs.9lives', summary: 'invalid name "9lives"' },
      { at: 'm.yaml:5:21', field: 'jobs.9lives.source', summary: 'must match ^[a-z][a-z0-9_-]{0,62}$' },
      { at: 'm.yaml:5:42', field: 'jobs.9lives.destination', summary: 'unknown profile "x"' },
    ],
  },
];

// 9. Duplicate names across files: both places are named.
cases.push(
  {
    name: 'duplicate profile across two files',
    files: {
      'a.yaml': withBase(),
      'b.yaml': lines(
        'version: 1',
        'profiles:',
        '  other: { engine: postgres, host: h, user: u }',
        '  src: { engine: postgres, host: h, user: u }',
      ),
    },
    expected: [
      { at: 'b.yaml:4:3', field: 'profiles.src', summary: 'profile "src" is declared twice: first at {dir}/a.yaml:3:3' },
    ],
  },
  {
    name: 'duplicate job across two files',
    files: {
      'a.yaml': withJob(),
      'b.yml': lines('version: 1', 'jobs:', '  j: { source: dst, destination: src, databases: [{ name: x }] }'),
    },
    expected: [{ at: 'b.yml:3:3', field: 'jobs.j', summary: 'job "j" is declared twice: first at {dir}/a.yaml:9:3' }],
  },
);

describe('zeroDates', () => {
  it.each([
    ['null', undefined],
    ['"null"', undefined],
    ['error', 'error'],
    ['-infinity', '-infinity'],
    ['infinity', 'infinity'],
    ['1970-01-01', '1970-01-01'],
    ['"0001-01-01"', '0001-01-01'],
  ])('zeroDates: %s is valid (recorded: %s; absent = null, the default)', async (value, recorded) => {
    const { result, actual } = await load({ 'm.yaml': withJob(`    zeroDates: ${value}`) });
    expect(actual).toEqual([]);
    expect(result.declaration?.jobs.j?.schema.zeroDates).toBe(recorded);
  });
});

describe('loadDeclaration reports each mistake at its place', () => {
  it.each(cases)('$name', async ({ files, expected }) => {
    const { result, actual, base } = await load(files);
    // Messages naming another file use its full path, which is only known here.
    check(
      actual,
      expected.map((e) => ({ ...e, summary: e.summary.replace('{dir}', base) })),
    );
    expect(result.declaration).toBeNull();
  });

  it('never echoes a literal password', async () => {
    const { result } = await load({
      'm.yaml': lines('version: 1', 'profiles:', '  src: { engine: postgres, host: h, user: u, password: "hunter2" }'),
    });
    expect(result.diagnostics).toHaveLength(1);
    const printed = result.diagnostics.map(formatDiagnostic).join('\n');
    expect(printed).toContain('${env:NAME}');
    expect(printed).not.toContain('hunter2');
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('does not echo a password near a syntax error', async () => {
    const { result } = await load({
      'm.yaml': lines('version: 1', 'profiles:', '  src: { engine: postgres, password: "s3cret-value', '  x: 1'),
    });
    expect(result.declaration).toBeNull();
    expect(JSON.stringify(result)).not.toContain('s3cret');
  });

  it('does not report references into a file that failed to parse', async () => {
    const { actual } = await load({
      'a.yaml': lines('version: 1', 'profiles: [oops'),
      'b.yaml': lines('version: 1', 'jobs:', '  j: { source: s, destination: d, databases: [{ name: x }] }'),
    });
    expect(actual.map((a) => a.at)).toEqual(['a.yaml:3:1']);
  });

  it('reports a missing path without a position', async () => {
    const result = await loadDeclaration(join(root, 'does-not-exist.yaml'));
    expect(result.declaration).toBeNull();
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', summary: `no such file or directory: ${join(root, 'does-not-exist.yaml')}` }),
    ]);
  });

  it('reports a directory without YAML files', async () => {
    const dir = join(root, 'no-yaml');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'version: 1\n');
    writeFileSync(join(dir, 'nested', 'deep.yaml'), 'version: 1\n');
    const result = await loadDeclaration(dir);
    expect(result.declaration).toBeNull();
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', summary: `no declaration files in ${dir}` }),
    ]);
  });
});
