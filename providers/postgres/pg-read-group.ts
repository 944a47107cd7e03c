import type pg from 'pg';
import type { Queryable } from './pg-rows.js';

/** Catalog reads run on this many connections at once (measured: a 4-table database, 61 queries, ~120 ms on one). */
export const INTROSPECT_CONNECTIONS = 3;

/**
 * Several connections behind one `query()`: each call runs on the next
 * free connection (in call order), so catalog reads issued together run in
 * parallel, and no connection is ever given a second query while it runs
 * one. Each read sees the catalog as of its own statement, as on one
 * connection outside a transaction.
 */
export class PgReadGroup implements Queryable {
  private readonly idle: pg.ClientBase[];
  private readonly waiting: ((client: pg.ClientBase) => void)[] = [];

  constructor(clients: readonly pg.ClientBase[]) {
    if (!clients.length) throw new Error('a read group needs a connection');
    this.idle = [...clients];
  }

  query: pg.ClientBase['query'] = ((text: unknown, values?: unknown) =>
    this.acquire().then(async (client) => {
      try {
        return await (client.query as (t: unknown, v?: unknown) => Promise<pg.QueryResult>)(text, values);
      } finally {
        this.release(client);
      }
    })) as pg.ClientBase['query'];

  private acquire(): Promise<pg.ClientBase> {
    const client = this.idle.pop();
    return client ? Promise.resolve(client) : new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(client: pg.ClientBase): void {
    const next = this.waiting.shift();
    if (next) next(client);
    else this.idle.push(client);
  }
}
