import { describe, expect, it } from 'vitest';
import type { SchemaObjectSummary } from '../../providers/catalog.js';
import { compareSchemas, type SchemaCompareOptions } from '../../engine/verify/verify-schema.js';

const fn = (over: Partial<SchemaObjectSummary> = {}): SchemaObjectSummary => ({
  kind: 'function',
  name: 'public.f(integer)',
  definition: 'CREATE FUNCTION public.f(integer) RETURNS integer LANGUAGE sql AS $$select 1$$',
  owner: 'app',
  acl: 'app=X/app',
  enabled: null,
  ...over,
});
const trig = (enabled: string): SchemaObjectSummary => ({
  kind: 'trigger',
  name: 'public.film.last_updated',
  definition: 'CREATE TRIGGER last_updated BEFORE UPDATE ON public.film FOR EACH ROW EXECUTE FUNCTION public.last_updated()',
  enabled,
});
const ALL: SchemaCompareOptions = { owners: true, grants: true, finalized: true };

describe('compareSchemas', () => {
  it.each([
    { name: 'identical', src: [fn(), trig('O')], dst: [fn(), trig('O')], opts: ALL, found: [] },
    {
      name: 'missing on destination',
      src: [fn()],
      dst: [],
      opts: ALL,
      found: ['function public.f(integer): missing on destination'],
    },
    {
      name: 'extra on destination',
      src: [],
      dst: [fn()],
      opts: ALL,
      found: ['function public.f(integer): extra on destination'],
    },
    {
      name: 'different definition',
      src: [fn()],
      dst: [fn({ definition: 'CREATE FUNCTION public.f(integer) RETURNS integer LANGUAGE sql AS $$select 2$$' })],
      opts: ALL,
      found: ['function public.f(integer): different definition'],
    },
    {
      name: 'owner kept and different',
      src: [fn()],
      dst: [fn({ owner: 'postgres' })],
      opts: ALL,
      found: ['function public.f(integer): different owner'],
    },
    { name: 'owners skipped', src: [fn()], dst: [fn({ owner: 'postgres' })], opts: { ...ALL, owners: false }, found: [] },
    {
      name: 'grants kept and different',
      src: [fn()],
      dst: [fn({ acl: null })],
      opts: ALL,
      found: ['function public.f(integer): different privileges'],
    },
    { name: 'grants skipped', src: [fn()], dst: [fn({ acl: null })], opts: { ...ALL, grants: false }, found: [] },
    {
      name: 'trigger still disabled before finalize',
      src: [trig('A')],
      dst: [trig('D')],
      opts: { ...ALL, finalized: false },
      found: [],
    },
    {
      name: 'trigger mode after finalize',
      src: [trig('A')],
      dst: [trig('O')],
      opts: ALL,
      found: ['trigger public.film.last_updated: different enable state'],
    },
    {
      name: 'created at finalize (MySQL triggers, events): absent before it',
      src: [{ ...trig('A'), atFinalize: true }],
      dst: [],
      opts: { ...ALL, finalized: false },
      found: [],
    },
    {
      name: 'created at finalize: missing after it',
      src: [{ ...trig('A'), atFinalize: true }],
      dst: [],
      opts: ALL,
      found: ['trigger public.film.last_updated: missing on destination'],
    },
    {
      name: 'absent and null are the same',
      src: [{ kind: 'schema', name: 'app', definition: 'app' }],
      dst: [{ kind: 'schema', name: 'app', definition: 'app', owner: null, acl: null, enabled: null }],
      opts: ALL,
      found: [],
    },
    {
      name: 'same name, other kind: one missing, one extra',
      src: [fn()],
      dst: [fn({ kind: 'procedure' })],
      opts: ALL,
      found: ['function public.f(integer): missing on destination', 'procedure public.f(integer): extra on destination'],
    },
  ])('$name', ({ src, dst, opts, found }) => {
    const r = compareSchemas(src, dst, opts);
    expect(r.differences.map((d) => `${d.kind} ${d.name}: ${d.difference}`)).toEqual(found);
    expect(r.objects).toBe(src.length);
  });

  it('lists what the plan said would not be migrated apart, never as a difference', () => {
    const view = { kind: 'view', name: 'public.on_unselected', definition: 'SELECT 1' };
    const r = compareSchemas([view, fn()], [fn()], {
      ...ALL,
      notMigrated: [{ kind: 'view', name: 'public.on_unselected', reason: 'reads an unselected table' }],
    });
    expect(r.differences).toEqual([]);
    expect(r.notMigrated).toEqual([{ kind: 'view', name: 'public.on_unselected' }]);
  });

  it('keeps both texts of a differing definition and sorts differences by kind, then name', () => {
    const r = compareSchemas(
      [fn({ name: 'public.b()' }), fn({ name: 'public.a()' }), trig('O')],
      [fn({ name: 'public.b()', definition: 'x' }), trig('O')],
      ALL,
    );
    expect(r.differences.map((d) => d.name)).toEqual(['public.a()', 'public.b()']);
    expect(r.differences[1]).toMatchObject({ source: fn().definition, destination: 'x' });
  });
});
