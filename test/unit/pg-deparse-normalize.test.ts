import { describe, expect, it } from 'vitest';
import { normalizeViewDefinition } from '../../providers/postgres/pg-deparse-normalize.js';

// pairs as PostgreSQL 14/15 and 16+ print the same view
describe('normalizeViewDefinition', () => {
  it.each([
    ['SELECT t.id,\n    t.v\n   FROM public.t\n  WHERE t.id > 1', 'SELECT id,\n    v\n   FROM public.t\n  WHERE id > 1'],
    [
      'SELECT p.mood,\n    count(*) AS n\n   FROM shop.products p\n  GROUP BY p.mood\n  ORDER BY p.mood',
      'SELECT mood,\n    count(*) AS n\n   FROM shop.products p\n  GROUP BY mood\n  ORDER BY mood',
    ],
    [
      'SELECT "Odd"."Col"\n   FROM public."Odd"\n  WHERE lower("Odd"."Col") = \'t.id\'::text',
      'SELECT "Col"\n   FROM public."Odd"\n  WHERE lower("Col") = \'t.id\'::text',
    ],
    // a sub-select qualifies in every version
    [
      'SELECT t.id\n   FROM public.t\n  WHERE (EXISTS ( SELECT 1\n           FROM public.u\n          WHERE u.id = t.id))',
      'SELECT id\n   FROM public.t\n  WHERE (EXISTS ( SELECT 1\n           FROM public.u\n          WHERE u.id = t.id))',
    ],
    [
      'SELECT t.a\n   FROM public.t\n  WHERE t.a IS DISTINCT FROM t.b',
      'SELECT a\n   FROM public.t\n  WHERE a IS DISTINCT FROM b',
    ],
    [
      'SELECT f.id,\n    f.name\n   FROM shop.in_stock() f(id, name)',
      'SELECT id,\n    name\n   FROM shop.in_stock() f(id, name)',
    ],
  ])('%j', (old, modern) => {
    expect(normalizeViewDefinition(old)).toBe(modern);
    expect(normalizeViewDefinition(modern)).toBe(modern);
  });

  it.each([
    'SELECT a.id,\n    b.v\n   FROM public.a\n     JOIN public.b ON a.id = b.id',
    'SELECT a.id\n   FROM public.a,\n    public.b',
    'SELECT t.id\n   FROM public.t\nUNION\n SELECT u.id\n   FROM public.u',
    "SELECT 't.x'::text AS s",
  ])('leaves %j alone', (sql) => {
    expect(normalizeViewDefinition(sql)).toBe(sql);
  });
});
