import { describe, expect, it } from 'vitest';
import { cascadingActions, type ConstraintDef, type TableDef } from '../../providers/catalog.js';
import { cascadeRereads } from '../../engine/runtime/database-pipeline.js';

const fk = (to: string, onDelete: string, onUpdate = 'NO ACTION'): ConstraintDef => ({
  name: `fk_${to}`,
  kind: 'foreign',
  definition: '',
  columns: ['x'],
  references: { schema: 'db', name: to },
  onDelete,
  onUpdate,
});
const table = (name: string, constraints: ConstraintDef[] = []): TableDef =>
  ({ schema: 'db', name, constraints }) as unknown as TableDef;

describe('tables a new snapshot reads again when the change log omits cascades', () => {
  const orders = table('orders');
  const lines = table('lines', [fk('orders', 'CASCADE')]);
  const notes = table('notes', [fk('lines', 'SET NULL')]);
  const audit = table('audit', [fk('orders', 'RESTRICT')]);
  const tags = table('tags', [fk('orders', 'NO ACTION', 'CASCADE')]);
  const all = [orders, lines, notes, audit, tags];
  const loaded = (...names: string[]) => new Map(names.map((n) => [`db.${n}`, {}]));

  it.each([
    [
      'the parent is read again: its cascading children with it, transitively',
      ['lines', 'notes', 'audit', 'tags'],
      ['lines', 'notes', 'tags'],
    ],
    ['everything was loaded: nothing', ['orders', 'lines', 'notes', 'audit', 'tags'], []],
    [
      'a middle table is pending: the loaded parent stays, its cascading child goes with it',
      ['orders', 'notes', 'audit', 'tags'],
      ['notes'],
    ],
    ['a restricting key cascades nothing', ['audit'], []],
  ])('%s', (_name, done, expected) => {
    const out = cascadeRereads(all, loaded(...done)).map((t) => t.name);
    expect(out.sort()).toEqual([...expected].sort());
  });
});

describe('cascading actions of a key', () => {
  it.each([
    ['restrict only', fk('p', 'RESTRICT'), []],
    ['delete cascades', fk('p', 'CASCADE'), ['ON DELETE CASCADE']],
    [
      'update sets null, delete sets default',
      fk('p', 'SET DEFAULT', 'SET NULL'),
      ['ON DELETE SET DEFAULT', 'ON UPDATE SET NULL'],
    ],
    [
      'actions only in the definition',
      {
        ...fk('p', ''),
        onDelete: undefined,
        onUpdate: undefined,
        definition: 'FOREIGN KEY (x) REFERENCES p (id) ON UPDATE CASCADE',
      },
      ['ON UPDATE CASCADE'],
    ],
    ['not a foreign key', { ...fk('p', 'CASCADE'), kind: 'check' as const }, []],
  ])('%s', (_name, c, expected) => expect(cascadingActions(c)).toEqual(expected));
});
