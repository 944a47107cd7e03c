import { describe, expect, it } from 'vitest';
import type { DomainDef } from '../../providers/catalog.js';
import type { PgAggregateDef, PgCastDef, PgOperatorDef, PgRangeTypeDef } from '../../providers/postgres/pg-native-catalog.js';
import { castStatement, createCast, createOperator, operatorStatement } from '../../providers/postgres/pg-ddl-operators.js';
import { createAggregate } from '../../providers/postgres/pg-ddl-routines.js';
import {
  createCollation,
  createComposite,
  createDomain,
  createRange,
  domainPart,
} from '../../providers/postgres/pg-ddl-types.js';
import { defaultMultirangeName } from '../../providers/postgres/pg-introspect-types.js';

const aggregate = (over: Partial<PgAggregateDef>): PgAggregateDef => ({
  schema: 'public',
  name: 'group_concat',
  args: 'text',
  signature: 'text',
  kind: 'normal',
  sfunc: 'public._group_concat',
  stype: 'text',
  sspace: 0,
  finalfunc: null,
  finalfuncExtra: false,
  finalfuncModify: 'read_only',
  combinefunc: null,
  serialfunc: null,
  deserialfunc: null,
  initcond: null,
  msfunc: null,
  minvfunc: null,
  mstype: null,
  msspace: 0,
  mfinalfunc: null,
  mfinalfuncExtra: false,
  mfinalfuncModify: 'read_only',
  minitcond: null,
  sortop: null,
  parallel: null,
  comment: null,
  ...over,
});

describe('createAggregate', () => {
  const cases: Array<{ name: string; agg: PgAggregateDef; sql: string }> = [
    {
      name: "pagila's group_concat: only what differs from the defaults",
      agg: aggregate({}),
      sql: 'CREATE OR REPLACE AGGREGATE "public"."group_concat"(text) (\n  SFUNC = public._group_concat,\n  STYPE = text\n)',
    },
    {
      name: 'final function, combine/serialise, initial condition, sort operator, parallel',
      agg: aggregate({
        name: 'avg_big',
        signature: 'bigint',
        sfunc: 'pg_catalog.int8_avg_accum',
        stype: 'internal',
        sspace: 48,
        finalfunc: 'pg_catalog.numeric_poly_avg',
        finalfuncModify: 'shareable',
        combinefunc: 'pg_catalog.int8_avg_combine',
        serialfunc: 'pg_catalog.int8_avg_serialize',
        deserialfunc: 'pg_catalog.int8_avg_deserialize',
        initcond: "it's {}",
        sortop: 'pg_catalog.>',
        parallel: 'safe',
      }),
      sql:
        'CREATE OR REPLACE AGGREGATE "public"."avg_big"(bigint) (\n  SFUNC = pg_catalog.int8_avg_accum,\n  STYPE = internal,\n  SSPACE = 48,\n' +
        '  FINALFUNC = pg_catalog.numeric_poly_avg,\n  FINALFUNC_MODIFY = SHAREABLE,\n  COMBINEFUNC = pg_catalog.int8_avg_combine,\n' +
        '  SERIALFUNC = pg_catalog.int8_avg_serialize,\n  DESERIALFUNC = pg_catalog.int8_avg_deserialize,\n' +
        "  INITCOND = 'it''s {}',\n  SORTOP = OPERATOR(pg_catalog.>),\n  PARALLEL = SAFE\n)",
    },
    {
      name: 'moving-aggregate mode',
      agg: aggregate({
        name: 'running_sum',
        signature: 'numeric',
        sfunc: 'util.sum_step',
        stype: 'numeric',
        initcond: '0',
        msfunc: 'util.sum_step',
        minvfunc: 'util.sum_unstep',
        mstype: 'numeric',
        mfinalfunc: 'util.done',
        mfinalfuncExtra: true,
        minitcond: '0',
      }),
      sql:
        'CREATE OR REPLACE AGGREGATE "public"."running_sum"(numeric) (\n  SFUNC = util.sum_step,\n  STYPE = numeric,\n  INITCOND = \'0\',\n' +
        '  MSFUNC = util.sum_step,\n  MINVFUNC = util.sum_unstep,\n  MSTYPE = numeric,\n  MFINALFUNC = util.done,\n  MFINALFUNC_EXTRA,\n' +
        "  MFINALFUNC_MODIFY = READ_ONLY,\n  MINITCOND = '0'\n)",
    },
    {
      name: 'hypothetical-set aggregate',
      agg: aggregate({
        name: 'rank_of',
        signature: 'VARIADIC "any" ORDER BY VARIADIC "any"',
        kind: 'hypothetical',
        sfunc: 'pg_catalog.ordered_set_transition_multi',
        stype: 'internal',
        finalfunc: 'pg_catalog.rank_final',
        finalfuncExtra: true,
        finalfuncModify: 'read_write',
      }),
      sql:
        'CREATE OR REPLACE AGGREGATE "public"."rank_of"(VARIADIC "any" ORDER BY VARIADIC "any") (\n  SFUNC = pg_catalog.ordered_set_transition_multi,\n' +
        '  STYPE = internal,\n  FINALFUNC = pg_catalog.rank_final,\n  FINALFUNC_EXTRA,\n  FINALFUNC_MODIFY = READ_WRITE,\n  HYPOTHETICAL\n)',
    },
  ];
  it.each(cases)('$name', ({ agg, sql }) => {
    expect(createAggregate(agg)).toBe(sql);
  });
});

describe('operators and casts', () => {
  const op: PgOperatorDef = {
    schema: 'util',
    name: '~~~',
    left: 'numeric',
    right: 'numeric',
    function: 'util.approx_eq',
    commutator: 'util.~~~',
    negator: 'util.!~~~',
    restrict: 'pg_catalog.eqsel',
    join: 'pg_catalog.eqjoinsel',
    hashes: false,
    merges: true,
    owner: 'app',
    comment: null,
  };
  it('CREATE OPERATOR names related operators with OPERATOR()', () => {
    expect(createOperator(op)).toBe(
      'CREATE OPERATOR "util".~~~ (FUNCTION = util.approx_eq, LEFTARG = numeric, RIGHTARG = numeric, COMMUTATOR = OPERATOR(util.~~~), ' +
        'NEGATOR = OPERATOR(util.!~~~), RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, MERGES)',
    );
  });
  it('a prefix operator has no left argument; the idempotent form skips only real operators, not shells', () => {
    const prefix = { ...op, left: null, commutator: null, negator: null, restrict: null, join: null, merges: false };
    expect(createOperator(prefix)).toBe('CREATE OPERATOR "util".~~~ (FUNCTION = util.approx_eq, RIGHTARG = numeric)');
    expect(operatorStatement(prefix)).toContain(
      "p.oprleft = 0 AND p.oprright = 'numeric'::pg_catalog.regtype AND p.oprcode <> 0",
    );
  });
  it.each<[PgCastDef, string]>([
    [
      {
        source: 'util.mood',
        target: 'integer',
        method: 'function',
        function: 'util.mood_score(util.mood)',
        context: 'assignment',
        comment: null,
      },
      'CREATE CAST (util.mood AS integer) WITH FUNCTION util.mood_score(util.mood) AS ASSIGNMENT',
    ],
    [
      { source: 'util.code', target: 'text', method: 'binary', function: null, context: 'implicit', comment: null },
      'CREATE CAST (util.code AS text) WITHOUT FUNCTION AS IMPLICIT',
    ],
    [
      { source: 'text', target: 'util.code', method: 'inout', function: null, context: 'explicit', comment: null },
      'CREATE CAST (text AS util.code) WITH INOUT',
    ],
  ])('%j', (cast, sql) => {
    expect(createCast(cast)).toBe(sql);
    expect(castStatement(cast)).toContain(`THEN ${sql}; END IF`);
  });
});

describe('types', () => {
  const domain: DomainDef = {
    schema: 'util',
    name: 'sku',
    baseType: 'text',
    notNull: true,
    default: "'AAA-0000'::text",
    collation: 'ci',
    collationSchema: 'util',
    constraints: [
      { name: 'sku_format', definition: 'CHECK (util.is_sku(VALUE))' },
      { name: 'short', definition: 'CHECK (length(VALUE) < 20) NOT VALID' },
    ],
  };
  it('a domain leaves out split-off parts and unvalidated checks, which are added on their own', () => {
    expect(createDomain(domain)).toBe(
      `CREATE DOMAIN "util"."sku" AS text COLLATE "util"."ci" DEFAULT 'AAA-0000'::text NOT NULL CONSTRAINT "sku_format" CHECK (util.is_sku(VALUE))`,
    );
    expect(createDomain(domain, new Set(['check:sku_format', 'default']))).toBe(
      'CREATE DOMAIN "util"."sku" AS text COLLATE "util"."ci" NOT NULL',
    );
    expect(domainPart(domain, 'default')).toEqual([`ALTER DOMAIN "util"."sku" SET DEFAULT 'AAA-0000'::text`]);
    expect(domainPart(domain, 'check:short')[0]).toContain(
      'ALTER DOMAIN "util"."sku" ADD CONSTRAINT "short" CHECK (length(VALUE) < 20) NOT VALID; END IF',
    );
  });

  const range = (over: Partial<PgRangeTypeDef>): PgRangeTypeDef => ({
    schema: 'util',
    name: 'floatrange',
    subtype: 'double precision',
    subtypeOpclass: null,
    collation: null,
    canonical: null,
    subtypeDiff: 'pg_catalog.float8mi',
    multirange: null,
    comment: null,
    ...over,
  });
  it.each<[PgRangeTypeDef, string]>([
    [range({}), 'CREATE TYPE "util"."floatrange" AS RANGE (SUBTYPE = double precision, SUBTYPE_DIFF = pg_catalog.float8mi)'],
    [
      range({
        name: 'price_span',
        subtype: 'text',
        subtypeOpclass: 'pg_catalog.text_pattern_ops',
        collation: 'pg_catalog."C"',
        subtypeDiff: null,
        multirange: { schema: 'util', name: 'price_spans' },
      }),
      'CREATE TYPE "util"."price_span" AS RANGE (SUBTYPE = text, SUBTYPE_OPCLASS = pg_catalog.text_pattern_ops, COLLATION = pg_catalog."C", MULTIRANGE_TYPE_NAME = "util"."price_spans")',
    ],
  ])('range %#', (r, sql) => {
    expect(createRange(r)).toBe(sql);
  });

  it.each([
    ['floatrange', 'floatmultirange'],
    ['price_span', 'price_span_multirange'],
    ['range_of_days', 'multirange_of_days'],
  ])('the multirange PostgreSQL names for %s is %s', (r, m) => {
    expect(defaultMultirangeName(r)).toBe(m);
  });

  it('composite types and collations', () => {
    expect(
      createComposite({
        schema: 'util',
        name: 'money_amount',
        attributes: [
          { name: 'currency', type: 'character(3)', collation: null, comment: null },
          { name: 'label', type: 'text', collation: 'util.bytewise', comment: 'shown' },
        ],
        comment: null,
      }),
    ).toBe('CREATE TYPE "util"."money_amount" AS ("currency" character(3), "label" text COLLATE util.bytewise)');
    const base = {
      schema: 'util',
      name: 'ci',
      collate: null,
      ctype: null,
      locale: null,
      rules: null,
      comment: null,
      deterministic: true,
    };
    expect(createCollation({ ...base, provider: 'icu', locale: 'und-u-ks-level2', deterministic: false })).toBe(
      `CREATE COLLATION "util"."ci" (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`,
    );
    expect(createCollation({ ...base, provider: 'libc', collate: 'C', ctype: 'C' })).toBe(
      `CREATE COLLATION "util"."ci" (provider = libc, lc_collate = 'C', lc_ctype = 'C')`,
    );
  });
});
