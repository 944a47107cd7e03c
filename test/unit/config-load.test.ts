import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Declaration } from '../../engine/config/declaration.js';
import { loadDeclaration } from '../../engine/config/load-declaration.js';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/config');
const scratch = mkdtempSync(join(tmpdir(), 'migrate-config-load-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const at = (file: string, line: number, column: number) => ({ file, line, column });

describe('loadDeclaration', () => {
  it('loads the documented example with every default filled in', async () => {
    const file = join(fixtures, 'example', 'migrate.yaml');
    const { declaration, diagnostics } = await loadDeclaration(file);
    expect(diagnostics).toEqual([]);
    const expected: Declaration = {
      version: 1,
      dir: join(fixtures, 'example'),
      files: [file],
      backend: { type: 'local', path: '.migrate' },
      policy: { destructive: 'allow', approvers: [] },
      profiles: {
        legacy: {
          name: 'legacy',
          engine: 'postgres',
          host: '127.0.0.1',
          port: 5433,
          user: 'postgres',
          password: '${env:SRC_PASSWORD}',
          database: 'postgres',
          tls: { mode: 'disable' },
          location: at(file, 7, 3),
        },
        cloud: {
          name: 'cloud',
          engine: 'postgres',
          host: '127.0.0.1',
          port: 5434,
          user: 'postgres',
          database: 'postgres',
          tls: { mode: 'disable' },
          location: at(file, 15, 3),
        },
      },
      jobs: {
        'shop-upgrade': {
          name: 'shop-upgrade',
          source: 'legacy',
          destination: 'cloud',
          type: 'one-time',
          state: 'running',
          parallelism: 'optimal',
          verify: false,
          protect: false,
          schema: { owners: 'keep', grants: 'keep' },
          databases: [
            {
              name: 'shop',
              target: 'shop',
              tables: { include: ['public.*'], exclude: ['public.audit_*'] },
              location: at(file, 24, 9),
            },
          ],
          location: at(file, 17, 3),
        },
      },
    };
    expect(declaration).toEqual(expected);
  });

  it('fills defaults for a minimal declaration (per-engine port and database, tls, job settings, tables, backend)', async () => {
    const dir = join(scratch, 'minimal');
    mkdirSync(dir);
    const file = join(dir, 'm.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'profiles:',
        '  pg: { engine: postgres, host: a, user: u }',
        '  my: { engine: mysql, host: b, user: u }',
        '  ms: { engine: sqlserver, host: c, user: u }',
        '  ora: { engine: oracle, host: d, user: u }',
        'jobs:',
        '  j:',
        '    source: my',
        '    destination: pg',
        '    databases:',
        '      - name: shop',
        '',
      ].join('\n'),
    );
    const { declaration, diagnostics } = await loadDeclaration(file);
    expect(diagnostics).toEqual([]);
    expect(declaration?.backend).toEqual({ type: 'local', path: '.migrate' });
    const profiles = declaration?.profiles ?? {};
    expect(Object.values(profiles).map((p) => [p.name, p.port, p.database, p.tls])).toEqual([
      ['pg', 5432, 'postgres', { mode: 'disable' }],
      ['my', 3306, 'mysql', { mode: 'disable' }],
      ['ms', 1433, 'master', { mode: 'disable' }],
      ['ora', 1521, 'ORCLPDB1', { mode: 'disable' }],
    ]);
    expect(profiles.pg).not.toHaveProperty('password');
    expect(declaration?.jobs.j).toEqual({
      name: 'j',
      source: 'my',
      destination: 'pg',
      type: 'one-time',
      state: 'running',
      parallelism: 'optimal',
      verify: false,
      protect: false,
      schema: { owners: 'keep', grants: 'keep' },
      databases: [{ name: 'shop', target: 'shop', tables: { include: ['*.*'], exclude: [] }, location: at(file, 12, 9) }],
      location: at(file, 8, 3),
    });
  });

  it('gives every database its own copy of the default table lists', async () => {
    const file = join(scratch, 'copies.yaml');
    writeFileSync(
      file,
      'version: 1\nprofiles:\n  a: { engine: postgres, host: a, user: u }\n  b: { engine: postgres, host: b, user: u }\njobs:\n  j: { source: a, destination: b, databases: [{ name: x }, { name: y }] }\n',
    );
    const { declaration } = await loadDeclaration(file);
    const [x, y] = declaration?.jobs.j?.databases ?? [];
    x?.tables.include.push('mutated.*');
    expect(y?.tables.include).toEqual(['*.*']);
    const again = await loadDeclaration(file);
    expect(again.declaration?.jobs.j?.databases[0]?.tables.include).toEqual(['*.*']);
  });

  it('merges a directory of files in name order, ignoring other files and subdirectories', async () => {
    const dir = join(fixtures, 'split');
    const { declaration, diagnostics } = await loadDeclaration(dir);
    expect(diagnostics).toEqual([]);
    const profilesFile = join(dir, '10-profiles.yaml');
    const jobsFile = join(dir, '20-jobs.yml');
    expect(declaration?.dir).toBe(dir);
    expect(declaration?.files).toEqual([profilesFile, jobsFile]);
    expect(declaration?.backend).toEqual({ type: 'postgres', profile: 'control', schema: 'migrate_state' });
    expect(Object.keys(declaration?.profiles ?? {})).toEqual([
      'control',
      'shop-mysql',
      'warehouse',
      'lake',
      'cloud',
      'warehouse-new',
    ]);
    expect(declaration?.profiles.control?.password).toBe('${file:secrets/control.txt}');
    expect(declaration?.profiles['shop-mysql']).toMatchObject({
      port: 3306,
      database: 'mysql',
      tls: { mode: 'verify-full', ca: 'certs/ca.pem' },
      location: at(profilesFile, 6, 3),
    });
    expect(declaration?.profiles.cloud?.tls).toEqual({ mode: 'require' });
    expect(declaration?.profiles['warehouse-new']).toMatchObject({
      port: 14330,
      database: 'master',
      location: at(jobsFile, 4, 3),
    });

    const jobs = declaration?.jobs ?? {};
    expect(Object.keys(jobs)).toEqual(['mysql-to-cloud', 'warehouse-copy', 'lake-to-cloud']);
    expect(jobs['mysql-to-cloud']).toMatchObject({
      type: 'continuous',
      state: 'not-started',
      parallelism: 8,
      location: at(jobsFile, 6, 3),
      databases: [
        { name: 'shop', target: 'shop_v2', tables: { include: ['*.*'], exclude: [] }, location: at(jobsFile, 13, 9) },
        {
          name: 'crm',
          target: 'crm',
          tables: { include: ['"Sales.Data".*', 'public.order?'], exclude: [] },
          location: at(jobsFile, 15, 9),
        },
      ],
    });
    expect(jobs['warehouse-copy']).toMatchObject({ parallelism: 'max', type: 'one-time', state: 'running' });
    expect(jobs['lake-to-cloud']).toMatchObject({ state: 'promoted', databases: [{ name: 'HR', target: 'HR' }] });
  });

  it('reports file positions as the caller spelled the path', async () => {
    const rel = join('test', 'fixtures', 'config', 'example', 'migrate.yaml');
    const { declaration } = await loadDeclaration(rel);
    expect(declaration?.files).toEqual([resolve(rel)]);
    expect(declaration?.dir).toBe(resolve(dirname(rel)));
    expect(declaration?.profiles.legacy?.location).toEqual(at(rel, 7, 3));
  });

  it('writes nothing to disk', async () => {
    const dir = join(scratch, 'untouched');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yaml'), 'version: 1\nprofiles:\n  p: { engine: postgres, host: h, user: u }\n');
    writeFileSync(join(dir, 'b.yaml'), 'version: 1\njobs: {}\n');
    const before = readdirSync(dir);
    const { declaration } = await loadDeclaration(dir);
    expect(declaration?.backend).toEqual({ type: 'local', path: '.migrate' });
    expect(readdirSync(dir)).toEqual(before);
  });
});
