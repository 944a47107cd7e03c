import type { AnySchemaObject, ErrorObject } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { declarationSchema } from './declaration-schema.js';
import { didYouMean } from './did-you-mean.js';
import type { FieldPath } from './field-path.js';
import { fieldPathFromPointer, formatFieldPath } from './field-path.js';
import type { YamlLocator } from './yaml-locator.js';

/** One schema problem before it gets a position: where it is and what to say. */
interface Problem {
  path: FieldPath;
  /** Point at the key (unknown/missing keys, bad names) or at the value (wrong values). */
  at: 'key' | 'value';
  /** The field users see; differs from `path` when it names a key that is absent or extra. */
  field: FieldPath;
  summary: string;
  detail?: string;
}

/**
 * Turns ajv errors (from a validator compiled with allErrors + verbose) into
 * diagnostics a human can act on: positions from the YAML, dotted field
 * paths, allowed values spelled out, did-you-mean for typos. Alternatives
 * (`oneOf`/`anyOf`) are collapsed to the branch the user evidently meant, or to
 * one "must be A or B" message. Branches must be inline schemas (no `$ref`)
 * so their errors can be attributed by schema path.
 */
export function schemaDiagnostics(errors: readonly ErrorObject[], data: unknown, locator: YamlLocator): Diagnostic[] {
  const { remaining, problems } = collapseAlternatives(
    // `if` only says "then failed" (the then-errors say why); errors with
    // `propertyName` are the inner half of a propertyNames error reported once below.
    errors.filter((e) => e.keyword !== 'if' && e.propertyName === undefined),
    data,
  );
  for (const e of remaining) problems.push(describeError(e, fieldPathFromPointer(e.instancePath, data)));

  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const p of problems) {
    const field = formatFieldPath(p.field);
    const key = `${field}\0${p.summary}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const location = p.at === 'key' ? locator.key(p.path) : locator.value(p.path);
    out.push({ severity: 'error', summary: p.summary, ...(p.detail ? { detail: p.detail } : {}), field, location });
  }
  return out;
}

function collapseAlternatives(errors: readonly ErrorObject[], data: unknown): { remaining: ErrorObject[]; problems: Problem[] } {
  let list = [...errors];
  const problems: Problem[] = [];
  for (;;) {
    // Outermost first, so a nested alternative inside a discarded branch disappears with it.
    const alt = list
      .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
      .sort((a, b) => a.instancePath.length - b.instancePath.length || a.schemaPath.length - b.schemaPath.length)[0];
    if (!alt) return { remaining: list, problems };
    const prefix = `${alt.schemaPath}/`;
    const under = (e: ErrorObject): boolean =>
      e.instancePath === alt.instancePath || e.instancePath.startsWith(`${alt.instancePath}/`);
    const branches = new Map<number, ErrorObject[]>();
    for (const e of list) {
      if (!e.schemaPath.startsWith(prefix) || !under(e)) continue;
      const index = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
      branches.set(index, [...(branches.get(index) ?? []), e]);
    }
    const dropped = new Set<ErrorObject>([alt, ...[...branches.values()].flat()]);
    list = list.filter((e) => !dropped.has(e));

    // A branch "does not apply" when the value has the wrong shape for it, or a
    // discriminating property (like backend.type) has another constant.
    const childDepth = alt.instancePath.split('/').length + 1;
    const ruledOut = (errs: ErrorObject[]): boolean =>
      errs.some(
        (e) =>
          (e.instancePath === alt.instancePath && ['type', 'const', 'enum', 'pattern'].includes(e.keyword)) ||
          (e.keyword === 'const' && e.instancePath.split('/').length === childDepth),
      );
    const candidates = [...branches.entries()].filter(([, errs]) => !ruledOut(errs));
    if (candidates.length > 0) {
      candidates.sort((a, b) => a[1].length - b[1].length || a[0] - b[0]);
      list.push(...(candidates[0]?.[1] ?? []));
      continue;
    }
    problems.push(noBranchFits(alt, [...branches.values()].flat(), data));
  }
}

/** Every branch was ruled out: say what the value may be, at the discriminator when there is one. */
function noBranchFits(alt: ErrorObject, branchErrors: ErrorObject[], data: unknown): Problem {
  const path = fieldPathFromPointer(alt.instancePath, data);
  const consts = branchErrors.filter((e) => e.keyword === 'const' && e.instancePath !== alt.instancePath);
  const firstConst = consts[0];
  if (firstConst && consts.every((e) => e.instancePath === firstConst.instancePath)) {
    const values = consts.map((e) => String((e.params as { allowedValue: unknown }).allowedValue));
    const tagPath = fieldPathFromPointer(firstConst.instancePath, data);
    const summary = `must be one of: ${values.join(', ')}`;
    return { path: tagPath, at: 'value', field: tagPath, summary, ...hint(firstConst.data, values) };
  }
  const branches = Array.isArray(alt.schema) ? (alt.schema as AnySchemaObject[]) : [];
  // Distinct forms only: two mapping-shaped branches are one "a mapping", not "a mapping or a mapping".
  const forms = [...new Set(branches.flatMap(describeForm))];
  const summary =
    forms.length > 1 ? `must be ${forms.slice(0, -1).join(', ')} or ${forms.at(-1)}` : `must be ${forms[0] ?? 'valid'}`;
  const detail = (alt.parentSchema as AnySchemaObject | undefined)?.description as string | undefined;
  return { path, at: 'value', field: path, summary, ...(detail ? { detail } : {}) };
}

function describeForm(schema: AnySchemaObject): string[] {
  if (Array.isArray(schema.enum)) return schema.enum.map(String);
  if ('const' in schema) return [String(schema.const)];
  if (schema.type === 'integer' && typeof schema.minimum === 'number' && typeof schema.maximum === 'number') {
    return [`an integer from ${schema.minimum} to ${schema.maximum}`];
  }
  // a string of a given form (a pattern) says which form in its description
  if (typeof schema.pattern === 'string' && typeof schema.description === 'string') return [schema.description];
  if (typeof schema.type === 'string') return [typeName(schema.type)];
  return [typeof schema.description === 'string' ? schema.description : 'another form'];
}

function typeName(type: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
    null: 'empty',
  };
  return names[type] ?? type;
}

/** The kind of value found, never the value itself (it may be a secret). */
function valueKind(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'object') return 'a mapping';
  return typeName(typeof v);
}

function hint(value: unknown, allowed: readonly string[]): { detail?: string } {
  const guess = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
  return guess ? { detail: `did you mean "${guess}"?` } : {};
}

function shortName(name: string): string {
  return name.length > 40 ? `${name.slice(0, 37)}...` : name;
}

/** Follows a local `$ref` (`#/$defs/...`) so descriptions of referenced schemas are found. */
function deref(schema: unknown): AnySchemaObject | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  const s = schema as AnySchemaObject;
  if (typeof s.$ref !== 'string' || !s.$ref.startsWith('#/')) return s;
  let node: unknown = declarationSchema();
  for (const seg of s.$ref.slice(2).split('/')) node = (node as Record<string, unknown> | undefined)?.[seg];
  return (node as AnySchemaObject | undefined) ?? s;
}

function describeError(e: ErrorObject, path: FieldPath): Problem {
  const parent = (e.parentSchema ?? {}) as AnySchemaObject;
  const params = e.params as Record<string, unknown>;
  const value: Problem = { path, at: 'value', field: path, summary: '' };
  const withDetail = (p: Problem, detail: unknown): Problem =>
    typeof detail === 'string' && detail !== '' ? { ...p, detail } : p;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((parent.properties ?? {}) as object);
      const guess = didYouMean(key, allowed);
      const summary = `unknown key "${shortName(key)}"`;
      const p: Problem = { path: [...path, key], at: 'key', field: [...path, key], summary };
      if (guess) return { ...p, detail: `did you mean "${guess}"?` };
      return withDetail(p, allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : undefined);
    }
    case 'required': {
      const key = String(params.missingProperty);
      const p: Problem = { path, at: 'key', field: [...path, key], summary: `missing required key "${key}"` };
      // Inside `then`, the branch's description says why the key became required;
      // elsewhere the missing property's own description says what it is.
      const props = (parent.properties ?? {}) as Record<string, AnySchemaObject>;
      const conditional = e.schemaPath.includes('/then/') || e.schemaPath.includes('/else/');
      return withDetail(p, conditional ? parent.description : props[key]?.description);
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      const summary = `invalid name "${shortName(name)}"`;
      const p: Problem = { path: [...path, name], at: 'key', field: [...path, name], summary };
      return withDetail(p, deref(e.schema)?.description);
    }
    case 'type':
      return { ...value, summary: `must be ${typeName(String(params.type))}, got ${valueKind(e.data)}` };
    case 'enum': {
      const allowed = ((params.allowedValues ?? []) as unknown[]).map(String);
      return { ...value, summary: `must be one of: ${allowed.join(', ')}`, ...hint(e.data, allowed) };
    }
    case 'const':
      return withDetail({ ...value, summary: `must be ${JSON.stringify(params.allowedValue)}` }, parent.description);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { minimum, maximum } = parent;
      if (parent.type === 'integer' && typeof minimum === 'number' && typeof maximum === 'number') {
        return { ...value, summary: `must be an integer from ${minimum} to ${maximum}` };
      }
      const words: Record<string, string> = { '<=': 'at most', '>=': 'at least', '<': 'less than', '>': 'more than' };
      const word = words[String(params.comparison)] ?? String(params.comparison);
      return { ...value, summary: `must be ${word} ${String(params.limit)}` };
    }
    case 'minLength': {
      const summary = params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`;
      return { ...value, summary };
    }
    case 'maxLength':
      return { ...value, summary: `must be at most ${String(params.limit)} characters` };
    case 'minItems': {
      const n = String(params.limit);
      const summary = params.limit === 1 ? 'must list at least one item' : `must list at least ${n} items`;
      return withDetail({ ...value, summary }, parent.description);
    }
    case 'maxItems':
      return { ...value, summary: `must list at most ${String(params.limit)} items` };
    case 'pattern':
      return withDetail({ ...value, summary: `must match ${String(params.pattern)}` }, parent.description);
    case 'false schema':
      return { path, at: 'key', field: path, summary: `key "${shortName(String(path.at(-1)))}" is not allowed here` };
    default:
      return withDetail({ ...value, summary: e.message ?? `fails ${e.keyword}` }, parent.description);
  }
}
