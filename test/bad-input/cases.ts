import { clone, deleteAt, fieldOf, renameAt, renderTree, setAt } from './yaml-tree.js';
import type { Position, TreePath, YamlTree } from './yaml-tree.js';

/**
 * The malformed declarations of `test/e2e/bad-input.test.ts`. Generated cases
 * mutate one spot of a valid declaration (BASE_TREE) and know the exact
 * `line:column` of the mistake from the writer; hand-written cases cover what
 * a tree cannot express (syntax errors, several files, whole-file problems).
 */

/** One diagnostic that must be printed (others may be printed too). */
export interface ExpectedDiagnostic {
  /** Path of the file relative to the project directory (default `migrate.yaml`). */
  file?: string;
  line?: number;
  column?: number;
  /** The dotted field printed as ` (field)` after the summary; `null` = no field is printed. */
  field?: string | null;
  /** Must occur in the summary. */
  summary: string | RegExp;
  /** Must occur in the indented detail lines under the summary. */
  detail?: string;
}

export interface BadInputCase {
  name: string;
  /** Files written into the project directory (`migrate.yaml` replaces the valid declaration). */
  files: Record<string, string>;
  /** Remove the project's valid `migrate.yaml` before writing `files`. */
  removeDeclaration?: boolean;
  /** Extra arguments for every command (e.g. `-f PATH`). */
  args?: string[];
  expect: ExpectedDiagnostic[];
  /**
   * No position exists (missing path, directory without YAML): the message
   * must name this path, resolved against the project directory.
   */
  noPosition?: { path: string };
  /** Text that must never appear on stdout or stderr. */
  secret?: string;
  /** Run `plan` too (validate and apply run for every case). */
  allCommands?: boolean;
}

/** The valid declaration every project is applied with first; cases mutate a copy. */
export function baseTree(): { [key: string]: YamlTree } {
  return {
    version: '1',
    backend: { type: 'local', path: '.migrate' },
    profiles: {
      src: {
        engine: 'postgres',
        host: '127.0.0.1',
        port: '1',
        user: 'postgres',
        password: '"${env:MIGRATE_BAD_INPUT_PASSWORD}"',
        database: 'postgres',
        tls: { mode: 'disable' },
      },
      dst: {
        engine: 'postgres',
        host: '127.0.0.1',
        port: '1',
        user: 'postgres',
        database: 'postgres',
        tls: { mode: 'verify-full', ca: 'certs/ca.pem' },
      },
    },
    jobs: {
      copy: {
        source: 'src',
        destination: 'dst',
        type: 'continuous',
        state: 'not-started',
        parallelism: '2',
        databases: [
          { name: 'shop', target: 'shop_new', tables: { include: ['"public.*"'], exclude: ['"public.audit_*"'] } },
          { name: 'billing' },
        ],
      },
    },
  };
}

export const HEADER = ['# yaml-language-server: $schema=../schemas/migrate.schema.json'];

/** The valid declaration as text, with `edit` applied to the tree first. */
export function baseText(edit: (t: { [key: string]: YamlTree }) => void = () => undefined): string {
  const t = baseTree();
  edit(t);
  return renderTree(t, HEADER).text;
}

const lines = (...ls: string[]): string => `${ls.join('\n')}\n`;

type Tree = { [key: string]: YamlTree };
const P = (...path: (string | number)[]): TreePath => path;
const SRC = P('profiles', 'src');
const DST = P('profiles', 'dst');
const JOB = P('jobs', 'copy');
const DB0 = P(...JOB, 'databases', 0);
const DB1 = P(...JOB, 'databases', 1);

interface Where {
  /** Point at the value (wrong values) or at the key (unknown/missing keys, bad names). */
  at: 'value' | 'key';
  path: TreePath;
  /** The field named in the message when it differs from `path` (a missing key). */
  field?: string;
  summary: string | RegExp;
  detail?: string;
}

/** A generated case: mutate the base tree, expect one diagnostic at a writer-known position. */
function gen(name: string, edit: (t: Tree) => void, where: Where, extra: Partial<BadInputCase> = {}): BadInputCase {
  const t = clone(baseTree());
  edit(t);
  const rendered = renderTree(t, HEADER);
  const field = where.field ?? fieldOf(where.path);
  const pos: Position | undefined =
    where.path.length === 0
      ? { line: HEADER.length + 1, column: 1 }
      : (where.at === 'key' ? rendered.keys : rendered.values).get(fieldOf(where.path));
  if (!pos) throw new Error(`case "${name}": ${fieldOf(where.path)} is not in the rendered declaration`);
  return {
    name,
    files: { 'migrate.yaml': rendered.text },
    expect: [{ ...pos, field, summary: where.summary, ...(where.detail ? { detail: where.detail } : {}) }],
    ...extra,
  };
}

const set = (path: TreePath, value: YamlTree) => (t: Tree) => setAt(t, path, value);

// ---------------------------------------------------------------- wrong types, every field
const wrongTypes: [TreePath, string, string | RegExp][] = [
  [P('version'), '"1"', 'must be 1'],
  [P('backend'), '"local"', /^must be a mapping$/],
  [P('backend', 'type'), '5', 'must be one of: local, postgres'],
  [P('backend', 'path'), '5', 'must be a string, got an integer'],
  [P('profiles'), '[src, dst]', 'must be a mapping, got a list'],
  [SRC, '"postgres://u@h/db"', 'must be a mapping, got a string'],
  [P(...SRC, 'engine'), '5', 'must be one of: postgres, mysql, sqlserver, oracle'],
  [P(...SRC, 'host'), '42', 'must be a string, got an integer'],
  [P(...SRC, 'port'), '"abc"', 'must be an integer, got a string'],
  [P(...SRC, 'port'), '0', 'must be an integer from 1 to 65535'],
  [P(...SRC, 'user'), '[postgres]', 'must be a string, got a list'],
  [P(...SRC, 'password'), '12345', 'must be a string, got an integer'],
  [P(...SRC, 'database'), '5', 'must be a string, got an integer'],
  [P(...SRC, 'tls'), 'disable', 'must be a mapping, got a string'],
  [P(...SRC, 'tls', 'mode'), '1', 'must be one of: disable, require, verify-ca, verify-full'],
  [P(...DST, 'tls', 'ca'), '5', 'must be a string, got an integer'],
  [P('jobs'), '"copy"', 'must be a mapping, got a string'],
  [P(...JOB, 'source'), '5', 'must be a string, got an integer'],
  [P(...JOB, 'destination'), '[dst]', 'must be a string, got a list'],
  [P(...JOB, 'type'), '1', 'must be one of: one-time, continuous'],
  [P(...JOB, 'state'), 'true', 'must be one of: not-started, running, stopped, promoted'],
  [P(...JOB, 'parallelism'), '[2]', 'must be min, optimal, max or an integer from 1 to 64'],
  [P(...JOB, 'databases'), 'shop', 'must be a list, got a string'],
  [P(...JOB, 'databases'), '[]', 'must list at least one item'],
  [P(...JOB, 'databases', 1), '5', 'must be a mapping, got an integer'],
  [P(...DB0, 'name'), '5', 'must be a string, got an integer'],
  [P(...DB0, 'target'), '{ name: x }', 'must be a string, got a mapping'],
  [P(...DB0, 'tables'), '"public.*"', 'must be a mapping, got a string'],
  [P(...DB0, 'tables', 'include'), '"public.*"', 'must be a list, got a string'],
  [P(...DB0, 'tables', 'include', 0), '5', 'must be a string, got an integer'],
  [P(...DB0, 'tables', 'exclude'), '"public.audit_*"', 'must be a list, got a string'],
];

// ---------------------------------------------------------------- unknown keys at every level
const unknownKeys: [TreePath, string, string][] = [
  [P(), 'verison', 'did you mean "version"?'],
  [P(), 'profile', 'did you mean "profiles"?'],
  [P(), 'colour', 'allowed keys: version, backend, policy, profiles, jobs'],
  [P('backend'), 'pth', 'did you mean "path"?'],
  [SRC, 'hots', 'did you mean "host"?'],
  [DST, 'ssl', 'allowed keys: engine, host, port, user, password, database, tls'],
  [P(...SRC, 'tls'), 'mod', 'did you mean "mode"?'],
  [P(...DST, 'tls'), 'cert', 'allowed keys: mode, ca'],
  [JOB, 'sorce', 'did you mean "source"?'],
  [JOB, 'paralelism', 'did you mean "parallelism"?'],
  [DB0, 'targte', 'did you mean "target"?'],
  [DB1, 'table', 'did you mean "tables"?'],
  [P(...DB0, 'tables'), 'includes', 'did you mean "include"?'],
];

// ---------------------------------------------------------------- missing required keys
const missing: [TreePath, string][] = [
  [SRC, 'engine'],
  [SRC, 'host'],
  [DST, 'user'],
  [JOB, 'source'],
  [JOB, 'databases'],
];

// ---------------------------------------------------------------- bad enum values (with a suggestion when close)
const badEnums: [TreePath, string, string, string?][] = [
  [P(...SRC, 'engine'), 'postgress', 'must be one of: postgres, mysql, sqlserver, oracle', 'did you mean "postgres"?'],
  [P(...JOB, 'type'), 'contiuous', 'must be one of: one-time, continuous', 'did you mean "continuous"?'],
  [P(...JOB, 'state'), 'runing', 'must be one of: not-started, running, stopped, promoted', 'did you mean "running"?'],
  [
    P(...SRC, 'tls', 'mode'),
    'verify_full',
    'must be one of: disable, require, verify-ca, verify-full',
    'did you mean "verify-full"?',
  ],
  [P('backend', 'type'), 's3', 'must be one of: local, postgres'],
  [P('backend', 'type'), 'locl', 'must be one of: local, postgres', 'did you mean "local"?'],
];

// ---------------------------------------------------------------- parallelism
const parallelism: [string, string][] = [
  ['0', 'must be an integer from 1 to 64'],
  ['65', 'must be an integer from 1 to 64'],
  ['1.5', 'must be min, optimal, max or an integer from 1 to 64'],
  ['fast', 'must be min, optimal, max or an integer from 1 to 64'],
  ['"8"', 'must be min, optimal, max or an integer from 1 to 64'],
];

// ---------------------------------------------------------------- table patterns (include and exclude)
const tablePatterns: [string, string][] = [
  ['public', 'missing "." between schema and table'],
  ['""', 'empty pattern'],
  ['"a.b.c"', 'too many "." separators'],
  ['"public.[x]"', 'invalid character "["'],
  ['"public.or der"', 'invalid character " "'],
  ['".orders"', 'missing schema name before "."'],
  ["'\"unterminated.x'", 'unterminated quote'],
  ['\'public."a"b\'', 'a quoted name must be followed by'],
  ['\'"".orders\'', 'empty quoted name'],
];

// ---------------------------------------------------------------- malformed secret references
const secretRefs: [string, string][] = [
  ['"${env:}"', 'empty variable name in ${env:…}'],
  ['"${vault:x}"', 'unknown secret source "vault"'],
  ['"${env:1X}"', 'invalid environment variable name in ${env:…}'],
  ['"${env:X"', 'malformed secret reference'],
  ['"${file:}"', 'empty path in ${file:…}'],
];

// ---------------------------------------------------------------- names
const badNames: ['profiles' | 'jobs', string, string][] = [
  ['profiles', 'src', 'Src'],
  ['profiles', 'src', '9src'],
  ['profiles', 'dst', `d${'x'.repeat(63)}`],
  ['jobs', 'copy', 'Copy'],
  ['jobs', 'copy', '_copy'],
  ['jobs', 'copy', '"copy job"'],
];

const engines = (from: string, to: string) => (t: Tree) => {
  setAt(t, [...SRC, 'engine'], from);
  setAt(t, [...DST, 'engine'], to);
};

export function generatedCases(): BadInputCase[] {
  const out: BadInputCase[] = [];
  for (const [path, raw, summary] of wrongTypes) {
    out.push(gen(`wrong type: ${fieldOf(path)} = ${raw}`, set(path, raw), { at: 'value', path, summary }));
  }
  for (const [parent, key, detail] of unknownKeys) {
    const path = [...parent, key];
    out.push(gen(`unknown key ${fieldOf(path)}`, set(path, 'x'), { at: 'key', path, summary: `unknown key "${key}"`, detail }));
  }
  for (const [parent, key] of missing) {
    const path = [...parent, key];
    out.push(
      gen(`missing ${fieldOf(path)}`, (t) => deleteAt(t, path), {
        at: 'key',
        path: parent,
        field: fieldOf(path),
        summary: `missing required key "${key}"`,
      }),
    );
  }
  out.push(
    gen('missing version', (t) => deleteAt(t, ['version']), {
      at: 'key',
      path: [],
      field: 'version',
      summary: 'missing required key "version"',
    }),
    gen('missing databases[1].name', set(DB1, { target: 'billing_new' }), {
      at: 'key',
      path: DB1,
      field: `${fieldOf(DB1)}.name`,
      summary: 'missing required key "name"',
    }),
    gen('postgres backend without profile', set(['backend'], { type: 'postgres' }), {
      at: 'key',
      path: ['backend'],
      field: 'backend.profile',
      summary: 'missing required key "profile"',
    }),
  );
  for (const [path, raw, summary, detail] of badEnums) {
    out.push(
      gen(`bad enum: ${fieldOf(path)} = ${raw}`, set(path, raw), { at: 'value', path, summary, ...(detail ? { detail } : {}) }),
    );
  }
  for (const [raw, summary] of parallelism) {
    const path = [...JOB, 'parallelism'];
    out.push(gen(`parallelism ${raw}`, set(path, raw), { at: 'value', path, summary }));
  }
  tablePatterns.forEach(([raw, problem], i) => {
    const list = i % 2 === 0 ? 'include' : 'exclude';
    const path = [...DB0, 'tables', list, 0];
    out.push(gen(`table pattern ${raw} in ${list}`, set(path, raw), { at: 'value', path, summary: problem }));
  });
  for (const [raw, detail] of secretRefs) {
    const path = [...SRC, 'password'];
    out.push(gen(`secret reference ${raw}`, set(path, raw), { at: 'value', path, summary: 'invalid secret reference', detail }));
  }
  for (const [kind, from, to] of badNames) {
    out.push(
      gen(`invalid ${kind === 'profiles' ? 'profile' : 'job'} name ${to}`, (t) => renameAt(t, [kind, from], to), {
        at: 'key',
        path: [kind, to],
        field: `${kind}.${to.replace(/^"(.*)"$/, '$1')}`,
        summary: `invalid name "${to.replace(/^"(.*)"$/, '$1').slice(0, 37)}`,
      }),
    );
  }
  out.push(
    gen('job source names an invalid profile name', set([...JOB, 'source'], 'Src'), {
      at: 'value',
      path: [...JOB, 'source'],
      summary: 'must match ^[a-z][a-z0-9_-]{0,62}$',
    }),
    gen('backend.profile is not a valid name', set(['backend'], { type: 'postgres', profile: 'Control' }), {
      at: 'value',
      path: ['backend', 'profile'],
      summary: 'must match ^[a-z][a-z0-9_-]{0,62}$',
    }),
    gen(
      'backend.schema is not a valid schema name',
      set(['backend'], { type: 'postgres', profile: 'src', schema: 'Migrate-State' }),
      {
        at: 'value',
        path: ['backend', 'schema'],
        summary: 'must match ^[a-z_][a-z0-9_]{0,62}$',
      },
    ),
    gen('local backend with a postgres-only key', set(['backend', 'schema'], 'migrate_state'), {
      at: 'key',
      path: ['backend', 'schema'],
      summary: 'unknown key "schema"',
      detail: 'allowed keys: type, path',
    }),
    gen('database name too long', set([...DB1, 'name'], 'b'.repeat(64)), {
      at: 'value',
      path: [...DB1, 'name'],
      summary: 'must be at most 63 characters',
    }),
  );

  // References.
  out.push(
    gen('unknown source profile (close to an existing one)', set([...JOB, 'source'], 'srcc'), {
      at: 'value',
      path: [...JOB, 'source'],
      summary: 'unknown profile "srcc"',
      detail: 'did you mean "src"?',
    }),
    gen('unknown destination profile', set([...JOB, 'destination'], 'cloud'), {
      at: 'value',
      path: [...JOB, 'destination'],
      summary: 'unknown profile "cloud"',
      detail: 'declared profiles: src, dst',
    }),
    gen('postgres backend naming an unknown profile', set(['backend'], { type: 'postgres', profile: 'control' }), {
      at: 'value',
      path: ['backend', 'profile'],
      summary: 'unknown profile "control"',
    }),
    gen(
      'postgres backend on a mysql profile',
      (t) => {
        setAt(t, ['backend'], { type: 'postgres', profile: 'src' });
        setAt(t, [...SRC, 'engine'], 'mysql');
      },
      { at: 'value', path: ['backend', 'profile'], summary: 'the postgres backend needs a postgres profile, "src" is mysql' },
    ),
    gen('same source and destination', set([...JOB, 'destination'], 'src'), {
      at: 'value',
      path: [...JOB, 'destination'],
      summary: 'source and destination are the same profile "src"',
    }),
  );

  // Databases repeated in one job.
  out.push(
    gen('duplicate database name', set([...DB1, 'name'], 'shop'), {
      at: 'value',
      path: [...DB1, 'name'],
      summary: 'database "shop" is listed twice in this job',
      detail: `first listed at line ${renderTree(baseTree(), HEADER).values.get(fieldOf([...DB0, 'name']))?.line}`,
    }),
    gen('two databases mapping to one explicit target', set([...DB1, 'target'], 'shop_new'), {
      at: 'value',
      path: [...DB1, 'target'],
      summary: 'two databases of this job go to the same target "shop_new"',
    }),
    gen('a target equal to another database name (default target)', set([...DB0, 'target'], 'billing'), {
      at: 'value',
      path: [...DB1, 'name'],
      summary: 'two databases of this job go to the same target "billing"',
    }),
  );

  // Engine pairs that do not target postgres.
  for (const [from, to] of [
    ['mysql', 'sqlserver'],
    ['oracle', 'mysql'],
    ['postgres', 'mysql'],
  ] as const) {
    out.push(
      gen(`heterogeneous pair ${from} → ${to}`, engines(from, to), {
        at: 'value',
        path: [...JOB, 'destination'],
        summary: `unsupported migration ${from} → ${to}`,
        detail: 'supported: the same engine on both sides, or any engine to postgres',
      }),
    );
  }

  // TLS verification without a CA bundle.
  out.push(
    gen('verify-full without ca', (t) => deleteAt(t, [...DST, 'tls', 'ca']), {
      at: 'key',
      path: [...DST, 'tls'],
      field: fieldOf([...DST, 'tls', 'ca']),
      summary: 'missing required key "ca"',
    }),
    gen('verify-ca without ca', set([...SRC, 'tls', 'mode'], 'verify-ca'), {
      at: 'key',
      path: [...SRC, 'tls'],
      field: fieldOf([...SRC, 'tls', 'ca']),
      summary: 'missing required key "ca"',
    }),
  );
  // A sample that runs `plan` too, across the categories.
  for (const name of PLAN_SAMPLE) {
    const c = out.find((x) => x.name === name);
    if (!c) throw new Error(`PLAN_SAMPLE names no case "${name}"`);
    c.allCommands = true;
  }
  return out;
}

const PLAN_SAMPLE = [
  'wrong type: profiles.src.port = "abc"',
  'wrong type: jobs.copy.databases = []',
  'unknown key jobs.copy.paralelism',
  'unknown key backend.pth',
  'missing profiles.src.host',
  'bad enum: jobs.copy.state = runing',
  'parallelism 65',
  'table pattern "a.b.c" in include',
  'secret reference "${vault:x}"',
  'invalid job name Copy',
  'unknown source profile (close to an existing one)',
  'postgres backend naming an unknown profile',
  'same source and destination',
  'duplicate database name',
  'heterogeneous pair mysql → sqlserver',
  'verify-full without ca',
];

// ---------------------------------------------------------------- literal passwords (never echoed)
const SECRET = 'Hunter2-c0rrect-h0rse-Battery';

export function passwordCases(): BadInputCase[] {
  const pw = [...SRC, 'password'];
  const base = renderTree(baseTree(), HEADER);
  const at = base.values.get(fieldOf(pw));
  if (!at) throw new Error('no password in the base declaration');
  const literal = (name: string, raw: string, secret: string, extra: Partial<BadInputCase> = {}): BadInputCase => ({
    ...gen(name, set(pw, raw), {
      at: 'value',
      path: pw,
      summary: 'password must not be written in the declaration',
      detail: 'use ${env:NAME} (an environment variable) or ${file:PATH} (a file holding the password)',
    }),
    secret,
    ...extra,
  });
  return [
    literal('literal password (plain scalar)', SECRET, SECRET, { allCommands: true }),
    literal('literal password (double-quoted, with symbols)', `"${SECRET}!#&*"`, `${SECRET}!#&*`, { allCommands: true }),
    literal('literal password with a reference inside', `"p${SECRET}\${env:X}"`, `p${SECRET}`),
    {
      name: 'literal password next to a YAML syntax error',
      files: {
        'migrate.yaml': lines(
          'version: 1',
          'profiles:',
          `  src: { engine: postgres, host: h, user: u, password: "${SECRET}`,
          '  dst: x',
        ),
      },
      expect: [{ line: 5, column: 1, field: null, summary: /^YAML syntax error: / }],
      secret: SECRET,
      allCommands: true,
    },
    {
      name: 'literal password under a misspelt key',
      files: {
        'migrate.yaml': baseText((t) => setAt(t, [...DST, 'passwd'], SECRET)),
      },
      expect: [{ field: fieldOf([...DST, 'passwd']), summary: 'unknown key "passwd"', detail: 'did you mean "password"?' }],
      secret: SECRET,
    },
    {
      name: 'literal password repeated as a duplicate key',
      files: {
        'migrate.yaml': lines(
          'version: 1',
          'profiles:',
          '  src:',
          '    engine: postgres',
          '    host: h',
          '    user: u',
          `    password: ${SECRET}`,
          `    password: ${SECRET}`,
        ),
      },
      expect: [{ line: 8, column: 5, field: 'profiles.src.password', summary: 'duplicate key "password" in the same mapping' }],
      secret: SECRET,
    },
    {
      name: 'literal password in the second file of a directory',
      files: {
        'zz-secret.yaml': lines(
          'version: 1',
          'profiles:',
          `  extra: { engine: postgres, host: h, user: u, password: "${SECRET}" }`,
        ),
      },
      expect: [
        {
          file: 'zz-secret.yaml',
          line: 3,
          column: 58,
          field: 'profiles.extra.password',
          summary: 'password must not be written',
        },
      ],
      secret: SECRET,
    },
    {
      name: 'literal password as a backend profile password',
      files: {
        'migrate.yaml': baseText((t) => {
          setAt(t, ['backend'], { type: 'postgres', profile: 'dst' });
          setAt(t, [...DST, 'password'], `'${SECRET}'`);
        }),
      },
      expect: [{ field: 'profiles.dst.password', summary: 'password must not be written in the declaration' }],
      secret: SECRET,
    },
  ];
}

// ---------------------------------------------------------------- YAML syntax and whole-file problems
export function fileCases(): BadInputCase[] {
  const syntax = /^YAML syntax error: /;
  return [
    {
      name: 'bad indentation (a key less indented than its siblings)',
      files: { 'migrate.yaml': lines('version: 1', 'profiles:', '  src:', '    engine: postgres', '   host: h', '    user: u') },
      // The parser points at the start of the misindented line.
      expect: [{ line: 5, column: 1, field: null, summary: 'All mapping items must start at the same column' }],
      allCommands: true,
    },
    {
      name: 'bad indentation (a nested key more indented than allowed)',
      files: { 'migrate.yaml': lines('version: 1', 'jobs:', '  copy:', '    source: src', '      destination: dst') },
      // YAML reads `src destination: dst` as one multi-line key: the error starts at `src`.
      expect: [{ line: 4, column: 13, field: null, summary: syntax }],
    },
    {
      name: 'unclosed double quote',
      files: { 'migrate.yaml': lines('version: 1', 'profiles:', '  src:', '    host: "oops', '    user: u') },
      expect: [{ line: 6, column: 1, field: null, summary: 'YAML syntax error: Missing closing "quote' }],
      allCommands: true,
    },
    {
      name: 'unclosed single quote',
      files: { 'migrate.yaml': lines('version: 1', 'profiles:', "  src: { engine: 'postgres, host: h, user: u }") },
      expect: [{ field: null, summary: syntax }],
    },
    {
      name: 'unclosed flow sequence',
      files: { 'migrate.yaml': lines('version: 1', 'jobs:', '  copy:', '    databases: [shop, billing', '    source: src') },
      expect: [{ field: null, summary: syntax }],
    },
    {
      name: 'unclosed flow mapping',
      files: { 'migrate.yaml': lines('version: 1', 'profiles:', '  src: { engine: postgres', '  dst: x') },
      expect: [{ line: 4, column: 3, field: null, summary: syntax }],
    },
    {
      name: 'stray closing bracket',
      files: { 'migrate.yaml': lines('version: 1', 'profiles: {}]') },
      expect: [{ line: 2, field: null, summary: syntax }],
    },
    {
      name: 'tab indentation',
      files: { 'migrate.yaml': lines('version: 1', 'profiles:', '\tsrc:', '\t\tengine: postgres') },
      expect: [{ line: 3, column: 1, field: null, summary: syntax }],
      allCommands: true,
    },
    {
      name: 'undefined alias',
      files: { 'migrate.yaml': lines('version: 1', 'profiles:', '  src: *base') },
      expect: [{ line: 3, column: 8, field: null, summary: 'cannot expand YAML aliases: unknown alias *base' }],
    },
    {
      name: 'alias bomb (too many alias expansions)',
      files: {
        'migrate.yaml': lines(
          'version: 1',
          'a: &a [x, x, x, x, x, x, x, x, x, x]',
          'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
          'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
          'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
        ),
      },
      expect: [{ line: 1, column: 1, field: null, summary: 'cannot expand YAML aliases' }],
    },
    {
      name: 'duplicate key at the top level',
      files: { 'migrate.yaml': lines('version: 1', 'jobs: {}', 'version: 1') },
      expect: [{ line: 3, column: 1, field: 'version', summary: 'duplicate key "version" in the same mapping' }],
      allCommands: true,
    },
    {
      name: 'duplicate key in a profile',
      files: {
        'migrate.yaml': lines(
          'version: 1',
          'profiles:',
          '  src:',
          '    engine: postgres',
          '    host: a',
          '    user: u',
          '    host: b',
        ),
      },
      expect: [{ line: 7, column: 5, field: 'profiles.src.host', summary: 'duplicate key "host" in the same mapping' }],
    },
    {
      name: 'duplicate profile name in one file',
      files: {
        'migrate.yaml': lines(
          'version: 1',
          'profiles:',
          '  src: { engine: postgres, host: a, user: u }',
          '  dst: { engine: postgres, host: b, user: u }',
          '  src: { engine: postgres, host: c, user: u }',
        ),
      },
      expect: [{ line: 5, column: 3, field: 'profiles.src', summary: 'duplicate key "src" in the same mapping' }],
    },
    {
      name: 'duplicate key in a flow mapping of a database',
      files: {
        'migrate.yaml': lines(
          'version: 1',
          'jobs:',
          '  copy:',
          '    source: src',
          '    destination: dst',
          '    databases:',
          '      - { name: shop, target: a, target: b }',
        ),
      },
      expect: [
        { line: 7, column: 34, field: 'jobs.copy.databases[0].target', summary: 'duplicate key "target" in the same mapping' },
      ],
    },
    {
      name: 'two YAML documents in one file',
      files: { 'migrate.yaml': lines('version: 1', '---', 'version: 1') },
      expect: [{ line: 2, column: 1, field: null, summary: 'a declaration file holds one YAML document' }],
    },
    {
      name: 'top level is a list',
      files: { 'migrate.yaml': lines('# profiles and jobs', '- version: 1', '- profiles: {}') },
      expect: [{ line: 2, column: 1, field: null, summary: 'the top level must be a mapping (key: value lines), got a list' }],
      allCommands: true,
    },
    {
      name: 'top level is a scalar',
      files: { 'migrate.yaml': lines('version 1') },
      expect: [
        { line: 1, column: 1, field: null, summary: 'the top level must be a mapping (key: value lines), got a single value' },
      ],
      allCommands: true,
    },
    {
      name: 'empty file',
      files: { 'migrate.yaml': '' },
      expect: [{ line: 1, column: 1, field: null, summary: 'file is empty' }],
      allCommands: true,
    },
    {
      name: 'file with comments only',
      files: { 'migrate.yaml': lines('# nothing', '# here') },
      expect: [{ line: 1, column: 1, field: null, summary: 'file is empty' }],
    },
    {
      name: 'top level is an empty mapping',
      files: { 'migrate.yaml': lines('{}') },
      expect: [{ line: 1, column: 1, field: 'version', summary: 'missing required key "version"' }],
    },
    {
      name: 'version: 2',
      files: { 'migrate.yaml': baseText((t) => setAt(t, ['version'], '2')) },
      expect: [{ line: 2, column: 10, field: 'version', summary: 'must be 1', detail: 'Every file must say `version: 1`.' }],
      allCommands: true,
    },
    {
      name: 'version with no value',
      files: { 'migrate.yaml': lines('version:', 'profiles: {}') },
      expect: [{ line: 1, column: 1, field: 'version', summary: 'must be 1' }],
    },
    {
      name: 'file over 5 MiB',
      // A valid declaration followed by 5 MiB of 1 KiB comment lines.
      files: { 'migrate.yaml': `${baseText()}${`# ${'x'.repeat(1021)}\n`.repeat(5 * 1024)}` },
      expect: [{ line: 1, column: 1, field: null, summary: /^file is too large \(5\.\d MiB; the limit is 5 MiB\)$/ }],
      allCommands: true,
    },
    {
      name: 'second file of the directory over 5 MiB',
      files: {
        'zz-big.yml': `version: 1\nprofiles:\n${'  # filler filler filler filler filler filler filler filler\n'.repeat(100_000)}`,
      },
      expect: [{ file: 'zz-big.yml', line: 1, column: 1, field: null, summary: 'file is too large' }],
    },
    {
      name: 'backend path elsewhere, with an error: the other state directory is not created',
      files: {
        'migrate.yaml': baseText((t) => {
          setAt(t, ['backend', 'path'], 'state/elsewhere');
          setAt(t, [...JOB, 'parallelism'], '0');
        }),
      },
      expect: [{ field: 'jobs.copy.parallelism', summary: 'must be an integer from 1 to 64' }],
      allCommands: true,
    },
  ];
}

// ---------------------------------------------------------------- several files in one directory
export function directoryCases(): BadInputCase[] {
  const second = (
    name: string,
    file: string,
    text: string,
    expect: ExpectedDiagnostic,
    extra: Partial<BadInputCase> = {},
  ): BadInputCase => ({
    name,
    files: { [file]: text },
    expect: [{ file, ...expect }],
    ...extra,
  });
  const base = renderTree(baseTree(), HEADER);
  const srcAt = base.keys.get('profiles.src');
  const jobAt = base.keys.get('jobs.copy');
  const backendAt = base.keys.get('backend');
  return [
    second(
      'duplicate profile across two files',
      'zz-profiles.yaml',
      lines(
        'version: 1',
        'profiles:',
        '  other: { engine: postgres, host: h, user: u }',
        '  src: { engine: postgres, host: h, user: u }',
      ),
      {
        line: 4,
        column: 3,
        field: 'profiles.src',
        summary: new RegExp(`^profile "src" is declared twice: first at .*/migrate\\.yaml:${srcAt?.line}:${srcAt?.column}$`),
      },
      { allCommands: true },
    ),
    second(
      'duplicate job across two files',
      'zz-jobs.yml',
      lines('version: 1', 'jobs:', '  copy: { source: dst, destination: src, databases: [{ name: x }] }'),
      {
        line: 3,
        column: 3,
        field: 'jobs.copy',
        summary: new RegExp(`^job "copy" is declared twice: first at .*/migrate\\.yaml:${jobAt?.line}:${jobAt?.column}$`),
      },
    ),
    second('backend declared in two files', 'zz-backend.yaml', lines('version: 1', '', 'backend:', '  path: state'), {
      line: 3,
      column: 1,
      field: 'backend',
      summary: new RegExp(
        `^backend is declared in two files: first at .*/migrate\\.yaml:${backendAt?.line}:${backendAt?.column}$`,
      ),
    }),
    second(
      'unknown key in the second file',
      'zz-more.yaml',
      lines('version: 1', 'profiles:', '  extra: { engine: postgres, hots: h, host: h, user: u }'),
      {
        line: 3,
        column: 30,
        field: 'profiles.extra.hots',
        summary: 'unknown key "hots"',
        detail: 'did you mean "host"?',
      },
    ),
    second(
      'job in the second file naming an unknown profile',
      'zz-more.yaml',
      lines('version: 1', 'jobs:', '  more:', '    source: dts', '    destination: src', '    databases: [{ name: more }]'),
      { line: 4, column: 13, field: 'jobs.more.source', summary: 'unknown profile "dts"', detail: 'did you mean "dst"?' },
    ),
    second(
      'job in the second file copying a profile onto itself',
      'zz-more.yaml',
      lines('version: 1', 'jobs:', '  more: { source: dst, destination: dst, databases: [{ name: more }] }'),
      { line: 3, column: 37, field: 'jobs.more.destination', summary: 'source and destination are the same profile "dst"' },
    ),
    second('YAML syntax error in the second file', 'zz-more.yaml', lines('version: 1', 'profiles: [oops'), {
      line: 3,
      column: 1,
      field: null,
      summary: /^YAML syntax error: /,
    }),
    second('empty second file', 'zz-more.yaml', '', { line: 1, column: 1, field: null, summary: 'file is empty' }),
    second('second file is a list', 'zz-more.yml', lines('- version: 1'), {
      line: 1,
      column: 1,
      field: null,
      summary: 'the top level must be a mapping (key: value lines), got a list',
    }),
    second(
      'heterogeneous pair across files (mysql profile in the second file)',
      'zz-more.yaml',
      lines(
        'version: 1',
        'profiles:',
        '  my: { engine: mysql, host: h, user: u }',
        '  ms: { engine: sqlserver, host: h, user: u }',
        'jobs:',
        '  more: { source: my, destination: ms, databases: [{ name: more }] }',
      ),
      { line: 6, column: 36, field: 'jobs.more.destination', summary: 'unsupported migration mysql → sqlserver' },
    ),
  ];
}

// ---------------------------------------------------------------- no position exists: the message names the path
export function pathCases(): BadInputCase[] {
  return [
    {
      name: '-f names a missing file',
      files: {},
      args: ['-f', 'missing.yaml'],
      noPosition: { path: 'missing.yaml' },
      expect: [{ summary: 'no such file or directory' }],
      allCommands: true,
    },
    {
      name: '-f names a missing directory',
      files: {},
      args: ['-f', 'nowhere/decl'],
      noPosition: { path: 'nowhere/decl' },
      expect: [{ summary: 'no such file or directory' }],
    },
    {
      name: '-f names a path below a file',
      files: {},
      args: ['-f', 'migrate.yaml/inner.yaml'],
      noPosition: { path: 'migrate.yaml/inner.yaml' },
      expect: [{ summary: 'no such file or directory' }],
    },
    {
      name: '-f names a directory without YAML files (only nested ones and other extensions)',
      files: {
        'conf/notes.txt': 'version: 1\n',
        'conf/migrate.yaml.orig': 'version: 1\n',
        'conf/nested/deep.yaml': 'version: 1\n',
      },
      args: ['-f', 'conf'],
      noPosition: { path: 'conf' },
      expect: [{ summary: 'no declaration files in' }],
      allCommands: true,
    },
    {
      name: 'the project directory lost its declaration (default -f .)',
      files: { 'migrate.yaml.bak': baseText() },
      removeDeclaration: true,
      noPosition: { path: '.' },
      expect: [{ summary: 'no declaration files in' }],
    },
  ];
}

export function allCases(): BadInputCase[] {
  const cases = [...generatedCases(), ...passwordCases(), ...fileCases(), ...directoryCases(), ...pathCases()];
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`duplicate case name: ${c.name}`);
    names.add(c.name);
  }
  return cases;
}
