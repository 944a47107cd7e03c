import type { NotMigratedObject, SchemaObjectSummary } from '../../providers/catalog.js';

export type SchemaDifferenceKind =
  | 'missing on destination'
  | 'extra on destination'
  | 'different definition'
  | 'different owner'
  | 'different privileges'
  | 'different enable state';

/** One schema object that differs, by kind and name, with both sides' text where it has one. */
export interface SchemaDifference {
  kind: string;
  name: string;
  difference: SchemaDifferenceKind;
  source?: string;
  destination?: string;
}

export interface SchemaComparison {
  /** Objects compared (the source's). */
  objects: number;
  differences: SchemaDifference[];
  /** Source objects missing on the destination because the plan said they would not be migrated. */
  notMigrated: { kind: string; name: string }[];
}

export interface SchemaCompareOptions {
  /** Compare owners (the job keeps them). */
  owners: boolean;
  /** Compare privileges (the job keeps grants). */
  grants: boolean;
  /** Compare what finalize sets (trigger and rule enable modes, forced row security): the job is completed. */
  finalized: boolean;
  /** What the catalog already names as not migrated: not a difference. */
  notMigrated?: readonly NotMigratedObject[];
}

const keyOf = (o: { kind: string; name: string }) => JSON.stringify([o.kind, o.name]);

/**
 * Compare the schema objects of source and destination by kind and name:
 * each must exist on both sides with the same definition; owners, privileges
 * and enable states only when the options say they are meant to match.
 * Objects named as not migrated are listed apart, never as differences.
 * Pure; differences come sorted by kind, then name.
 */
export function compareSchemas(
  source: readonly SchemaObjectSummary[],
  destination: readonly SchemaObjectSummary[],
  opts: SchemaCompareOptions,
): SchemaComparison {
  const dst = new Map(destination.map((o) => [keyOf(o), o]));
  const src = new Map(source.map((o) => [keyOf(o), o]));
  const skipped = new Set((opts.notMigrated ?? []).map(keyOf));
  const differences: SchemaDifference[] = [];
  const notMigrated: { kind: string; name: string }[] = [];
  const differ = (o: SchemaObjectSummary, difference: SchemaDifferenceKind, a?: string | null, b?: string | null) =>
    differences.push({
      kind: o.kind,
      name: o.name,
      difference,
      ...(a != null ? { source: a } : {}),
      ...(b != null ? { destination: b } : {}),
    });
  for (const o of source) {
    const d = dst.get(keyOf(o));
    if (!d) {
      if (skipped.has(keyOf(o))) notMigrated.push({ kind: o.kind, name: o.name });
      else if (o.atFinalize && !opts.finalized)
        continue; // created at finalize
      else differ(o, 'missing on destination');
      continue;
    }
    if (o.definition !== d.definition) differ(o, 'different definition', o.definition, d.definition);
    if (opts.owners && (o.owner ?? null) !== (d.owner ?? null)) differ(o, 'different owner', o.owner, d.owner);
    if (opts.grants && (o.acl ?? null) !== (d.acl ?? null)) differ(o, 'different privileges', o.acl, d.acl);
    if (opts.finalized && (o.enabled ?? null) !== (d.enabled ?? null)) differ(o, 'different enable state', o.enabled, d.enabled);
  }
  for (const d of destination) if (!src.has(keyOf(d))) differ(d, 'extra on destination');
  differences.sort((a, b) => (a.kind === b.kind ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.kind < b.kind ? -1 : 1));
  return { objects: source.length, differences, notMigrated };
}
