import type { EngineKind } from '../contract/declaration.js';
import type { QualifiedName } from './catalog.js';

/**
 * A column value as the source's text form: exact (no JS number), `null` for
 * SQL NULL, or UNCHANGED for a TOASTed value the change did not touch (the
 * destination keeps what it has).
 */
export type ColumnValue = string | null | typeof UNCHANGED;
export const UNCHANGED: unique symbol = Symbol('unchanged-toast');

/** Column names and values of one row image, in the same order. */
export interface RowImage {
  /** Shared between the images of one table: never mutate. */
  columns: readonly string[];
  values: ColumnValue[];
}

/** A table as the change stream describes it (pgoutput Relation message, a binlog table map). */
export interface ChangeRelation extends QualifiedName {
  /** The engine whose names and values these are; absent: postgres. A destination of another engine maps them. */
  engine?: EngineKind;
  /** Source-specific relation id (PostgreSQL: OID). */
  id: number;
  columns: { name: string; isKey: boolean; typeOid: number }[];
  replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
}

/**
 * Canonical change events, one model for every engine's native stream
 * (STYLE: decode once, before the applier). Positions are engine-specific
 * strings (PostgreSQL LSN `X/Y`), compared with the provider's comparator.
 */
export type ChangeEvent =
  | { kind: 'begin'; xid: string; finalPosition: string; commitTime: string }
  | { kind: 'commit'; commitPosition: string; endPosition: string; commitTime: string }
  | { kind: 'insert'; relation: ChangeRelation; new: RowImage }
  | {
      kind: 'update';
      relation: ChangeRelation;
      /** Old key (when the key changed) or the whole old row (REPLICA IDENTITY FULL); null otherwise. */
      old: RowImage | null;
      new: RowImage;
    }
  | { kind: 'delete'; relation: ChangeRelation; old: RowImage }
  | { kind: 'truncate'; relations: ChangeRelation[]; cascade: boolean; restartIdentity: boolean }
  /**
   * The table's definition changed on the source (a binlog DDL statement):
   * its later changes cannot be applied as they are, so the engine holds the
   * table back (quarantine) and the others keep streaming. Never reaches a destination.
   */
  | { kind: 'schema'; table: QualifiedName; statement: string };

export type ChangeKind = ChangeEvent['kind'];
