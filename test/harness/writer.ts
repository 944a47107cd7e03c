import pg from 'pg';

export interface Writer {
  /** Stop writing; resolves with the number of statements run. */
  stop(): Promise<number>;
  count(): number;
}

/**
 * A concurrent workload on the sample shop database: inserts, updates
 * (including primary-key changes), deletes, across plain, partitioned and
 * awkwardly named tables, in multi-statement transactions. Deterministic
 * for a seed; bounded by the caller's stop().
 */
export function startWriter(url: string, seed = 1): Writer {
  let running = true;
  let n = 0;
  let rnd = seed;
  const next = (max: number) => {
    rnd = (rnd * 1103515245 + 12345) % 2147483648;
    return 1 + (rnd % max);
  };
  const connect = async (): Promise<pg.Client> => {
    for (;;) {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => undefined);
      try {
        await c.connect();
        return c;
      } catch {
        if (!running) return c;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  let client: pg.Client;
  const done = (async () => {
    client = await connect();
    while (running) {
      const k = next(1_000_000);
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO public.orders (customer_id, status, total, placed_at, notes, big)
           VALUES (${next(1000)}, 'paid', ${k}.${k % 100}, now(), 'w${k} ✓', ${9_000_000_000_000_000 + k})`,
        );
        await client.query(
          `UPDATE public.customers SET name = name || '+', profile = jsonb_build_object('k', ${k}) WHERE id = ${next(1000)}`,
        );
        await client.query(
          `DELETE FROM public.orders WHERE id IN (SELECT id FROM public.orders WHERE id % 97 = ${k % 97} AND NOT EXISTS (SELECT 1 FROM "Sales Dept"."Order Lines" l WHERE l."Order ID" = orders.id) LIMIT 1)`,
        );
        await client.query(
          `INSERT INTO public.events (id, at, kind, payload) VALUES (${1_000_000 + n}, date '2025-06-01' + ${k % 900}, 1, 'w')`,
        );
        await client.query(`UPDATE public.events SET payload = 'upd' || ${k} WHERE id = ${next(5000)}`);
        await client.query(
          `UPDATE "Sales Dept"."Order Lines" SET "select" = "select" + 1000000 WHERE "select" = (SELECT min("select") FROM "Sales Dept"."Order Lines" WHERE "select" < 1000000)`,
        );
        await client.query(
          `UPDATE public.products SET price = price + 0.01, image = NULL WHERE sku = md5('p' || ${next(500)})::uuid`,
        );
        await client.query('COMMIT');
        n++;
      } catch {
        await client.query('ROLLBACK').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
        // the server may have restarted or killed us: reconnect
        if (
          (client as unknown as { _ending?: boolean; _connected?: boolean })._ending ||
          !(await client.query('SELECT 1').then(
            () => true,
            () => false,
          ))
        ) {
          await client.end().catch(() => undefined);
          if (running) client = await connect();
        }
      }
    }
    await client.end().catch(() => undefined);
  })();
  return {
    count: () => n,
    async stop() {
      running = false;
      await done;
      return n;
    },
  };
}
