// The human-readable report (tables, ratios, targets) and the JSON results file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, TARGETS } from './config.mjs';
import { prettyBytes } from './dataset.mjs';
import { plural } from './util.mjs';

const LABELS = {
  migrate: 'migrate',
  pgcopydb: 'pgcopydb clone',
  pgdump: 'pg_dump -Fd + pg_restore',
  raw: 'raw COPY pipe (ceiling)',
};
const f1 = (x) => (x == null || Number.isNaN(x) ? '—' : x.toFixed(1));
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

function versus(migrateS, peerS, peer) {
  if (!migrateS || !peerS) return '';
  if (peer === 'raw') {
    const pct = ((migrateS - peerS) / peerS) * 100;
    return pct <= 0
      ? `(migrate ${(-pct).toFixed(0)}% faster than it)`
      : `(migrate ${pct.toFixed(0)}% slower: ${pct <= 15 ? 'within' : 'NOT within'} 15%)`;
  }
  const r = peerS / migrateS;
  return r >= 1 ? `(migrate is ${r.toFixed(2)}x faster)` : `(migrate is ${(1 / r).toFixed(2)}x slower)`;
}

/** Evaluate the README/issue targets against the results. */
export function evaluateTargets(results) {
  const full = results.fullMigration ?? {};
  const m = full.migrate?.ok ? full.migrate.wallS : null;
  const out = [];
  const add = (key, pass, detail) => out.push({ target: TARGETS[key], pass, detail });
  if (m && full.pgcopydb?.ok)
    add('fullVsPgcopydb', m < full.pgcopydb.wallS, `migrate ${f1(m)} s vs pgcopydb ${f1(full.pgcopydb.wallS)} s`);
  if (m && full.raw?.ok)
    add(
      'fullVsRaw',
      m <= full.raw.wallS * 1.15,
      `migrate ${f1(m)} s vs raw ${f1(full.raw.wallS)} s (limit ${f1(full.raw.wallS * 1.15)} s)`,
    );
  const mc = results.cdc?.migrate;
  const nc = results.cdc?.native;
  if (mc?.cdc && nc?.cdc) {
    const mPace = mc.cdc.appliedChangesPerS / mc.cdc.sourceChangesPerS;
    const nPace = nc.cdc.appliedChangesPerS / nc.cdc.sourceChangesPerS;
    add(
      'cdcPace',
      mPace >= Math.min(0.95, nPace - 0.02),
      `migrate applied ${mc.cdc.appliedChangesPerS}/s of ${mc.cdc.sourceChangesPerS}/s produced (${(mPace * 100).toFixed(0)}%, drain ${f1(mc.cdc.drainAfterLoadS)} s); ` +
        `native ${nc.cdc.appliedChangesPerS}/s of ${nc.cdc.sourceChangesPerS}/s (${(nPace * 100).toFixed(0)}%, drain ${f1(nc.cdc.drainAfterLoadS)} s)`,
    );
  }
  if (mc?.cdc)
    add(
      'cdcLagP99',
      mc.cdc.lagDuringLoad.p99Ms != null && mc.cdc.lagDuringLoad.p99Ms < 1000,
      `migrate p99 ${mc.cdc.lagDuringLoad.p99Ms} ms (native ${nc?.cdc?.lagDuringLoad?.p99Ms ?? '—'} ms)`,
    );
  if (mc?.catchUp && nc?.catchUp)
    add(
      'catchUp',
      mc.catchUp.changesPerS >= nc.catchUp.changesPerS,
      `migrate ${mc.catchUp.changesPerS}/s vs native ${nc.catchUp.changesPerS}/s`,
    );
  if (mc?.worker) add('workerRss', mc.worker.peakRssMb < 300, `worker peak RSS ${mc.worker.peakRssMb} MB`);
  // phases many/small: a migrate run that failed is a miss (with the reason); a peer not run, no entry
  const many = results.many;
  if (many?.migrate) {
    const n = many.dataset.databases;
    const mm = many.migrate;
    if (!mm.ok) add('manyVsPgcopydb', false, `migrate FAILED (${plural(n, 'database')}): ${mm.reason}`);
    else if (many.pgcopydb?.ok)
      add(
        'manyVsPgcopydb',
        mm.wallS <= many.pgcopydb.wallS * 0.5,
        `migrate ${f1(mm.wallS)} s vs pgcopydb ${f1(many.pgcopydb.wallS)} s (${plural(n, 'database')}, ratio ${many.ratioMigrateToPgcopydb}, limit 0.5)`,
      );
    const rss = Math.max(...many.migrate.roundsPeakRssMb);
    add(
      'manyRss',
      mm.ok && rss < 300,
      `${mm.ok ? '' : 'migrate FAILED; '}apply process peak RSS ${rss} MB with ${plural(n, 'database')} (target stated for 50)`,
    );
  }
  const small = results.small;
  if (small?.migrate) {
    const sm = small.migrate;
    if (!sm.ok) add('smallVsPgcopydb', false, `migrate FAILED: ${sm.reason}`);
    else if (small.pgcopydb?.ok)
      add(
        'smallVsPgcopydb',
        sm.wallS <= small.pgcopydb.wallS * 0.8,
        `migrate ${f1(sm.wallS)} s vs pgcopydb ${f1(small.pgcopydb.wallS)} s (ratio ${small.ratioMigrateToPgcopydb}, limit 0.8)`,
      );
    const fb = sm.bestFirstByteAfterPlanMs;
    add(
      'smallFirstByte',
      fb != null && fb <= 300,
      fb == null
        ? `not measured${sm.ok ? '' : ': migrate FAILED'}`
        : `${fb} ms (rounds ${sm.roundsFirstByteAfterPlanMs.join('/')} ms)`,
    );
  }
  const my = results.mysql;
  if (my?.migrate) {
    const mm = my.migrate;
    const pl = my.pgloader;
    const lost = (r) => `${r.rowsLost} rows lost${r.roundsRowsLost?.length > 1 ? ` (rounds ${r.roundsRowsLost.join('/')})` : ''}`;
    const migrateLost = Math.max(...(mm.roundsRowsLost ?? [mm.rowsLost]));
    if (!mm.ok) add('mysqlVsPgloader', false, `migrate FAILED: ${mm.reason}`);
    else if (pl?.ok)
      add(
        'mysqlVsPgloader',
        my.ratioRowsPerS >= 2 && migrateLost === 0,
        `migrate ${mm.rowsPerS} rows/s (${f1(mm.wallS)} s, ${lost(mm)}) vs pgloader ${pl.rowsPerS} rows/s (${f1(pl.wallS)} s, ${lost(pl)}): ratio ${my.ratioRowsPerS}, limit ≥ 2`,
      );
    else if (pl?.unavailable) add('mysqlVsPgloader', null, `not evaluated: ${pl.reason}`);
    else if (pl) add('mysqlVsPgloader', migrateLost === 0 ? null : false, `pgloader FAILED: ${pl.reason}; migrate ${lost(mm)}`);
    const rss = Math.max(...(mm.roundsPeakRssMb ?? [mm.process.peakRssMb]));
    add('mysqlRss', mm.ok && rss < 300, `${mm.ok ? '' : 'migrate FAILED; '}apply process peak RSS ${rss} MB`);
  }
  const mx = results.mysqlMysql;
  if (mx?.migrate) {
    const mm = mx.migrate;
    const lost = (r) => `${r.rowsLost} rows lost${r.roundsRowsLost?.length > 1 ? ` (rounds ${r.roundsRowsLost.join('/')})` : ''}`;
    const migrateLost = Math.max(...(mm.roundsRowsLost ?? [mm.rowsLost]));
    const versusPeer = (key, peer, label, ratio, limit, pass) => {
      const pr = mx[peer];
      if (!mm.ok) add(key, false, `migrate FAILED: ${mm.reason}`);
      else if (pr?.ok)
        add(
          key,
          pass(ratio) && migrateLost === 0,
          `migrate ${f1(mm.wallS)} s (${mm.rowsPerS} rows/s, ${lost(mm)}) vs ${label} ${f1(pr.wallS)} s (${lost(pr)}): migrate/${peer} ${ratio}, limit ${limit}`,
        );
      else if (pr)
        add(key, migrateLost === 0 ? null : false, `${label} ${pr.unavailable ? 'unavailable' : 'FAILED'}: ${pr.reason}`);
    };
    versusPeer('mysqlMysqlVsMydumper', 'mydumper', 'mydumper+myloader', mx.ratioToMydumper, '< 1', (r) => r < 1);
    versusPeer('mysqlMysqlVsMysqldump', 'mysqldump', 'mysqldump|mysql', mx.ratioToMysqldump, '≤ 0.5', (r) => r <= 0.5);
    const rss = Math.max(...(mm.roundsPeakRssMb ?? [mm.process?.peakRssMb]).filter((x) => x != null));
    add('mysqlMysqlRss', mm.ok && rss < 300, `${mm.ok ? '' : 'migrate FAILED; '}apply process peak RSS ${rss} MB`);
  }
  const mc2 = results.mysqlCdc;
  if (mc2 && !mc2.unavailable) {
    const push = (target, pass, detail) => out.push({ target, pass, detail });
    const m = mc2.migrate ?? {};
    const r = mc2.replica ?? {};
    const lost = m.content ? `${m.content.rowsLost} rows lost, ${m.content.extraRows} extra` : 'content not compared';
    if (mc2.error && !m.cdc) push('mysql-cdc: migrate lag p99 < 1 s', false, `FAILED: ${mc2.error.split('\n')[0]}`);
    if (m.cdc)
      push(
        'mysql-cdc: migrate lag p99 < 1 s',
        m.cdc.lagDuringLoad.p99Ms != null && m.cdc.lagDuringLoad.p99Ms < 1000,
        `migrate p99 ${m.cdc.lagDuringLoad.p99Ms} ms (replica ${r.cdc?.lagDuringLoad?.p99Ms ?? '—'} ms)`,
      );
    if (m.catchUp && r.catchUp)
      push(
        'mysql-cdc: migrate catch-up ≤ native replica',
        m.catchUp.catchUpS <= r.catchUp.catchUpS,
        `migrate ${f1(m.catchUp.catchUpS)} s vs replica ${f1(r.catchUp.catchUpS)} s`,
      );
    else if (m.cdc)
      push('mysql-cdc: migrate catch-up ≤ native replica', false, `not measured: ${(mc2.error ?? '').split('\n')[0]}`);
    if (m.content)
      push(
        'mysql-cdc: 0 rows lost (migrate)',
        m.content.countsMatch,
        `${lost}; CHECKSUM TABLE ${m.content.checksumsMatch ? 'equal' : 'DIFFERS'}`,
      );
    if (m.worker) push('mysql-cdc: worker RSS < 300 MB', m.worker.peakRssMb < 300, `worker peak RSS ${m.worker.peakRssMb} MB`);
  }
  return out;
}

function printMysqlCdc(p, results) {
  const x = results.mysqlCdc;
  p();
  if (x.unavailable) {
    p(`MySQL/MariaDB → MySQL/MariaDB CDC: not run: ${x.reason}`);
    return;
  }
  const s = x.settings;
  const l = x.cdcLoad;
  p(
    `MySQL/MariaDB → MySQL/MariaDB CDC (${x.source?.version ?? '—'}): ${s.tps} tx/s × ${s.rowChangesPerTransaction} row changes for ${s.cdcSeconds} s${l ? ` (achieved ${l.tps} tx/s, ${l.rowChangesPerS} changes/s)` : ''}, heartbeat every ${s.heartbeatMs} ms, lag sampled every ${s.sampleMs} ms:`,
  );
  p(
    `  ${pad('peer', 10)} ${lpad('lag p50', 9)} ${lpad('p95', 7)} ${lpad('p99', 7)} ${lpad('max', 7)} ${lpad('stale p99', 10)} ${lpad('drain', 7)} ${lpad('catch-up', 9)} ${lpad('changes/s', 10)}  rows / CHECKSUM`,
  );
  for (const k of ['migrate', 'replica']) {
    const r = x[k];
    if (!r?.cdc) {
      p(`  ${pad(k, 10)} FAILED: ${(x.error ?? '').split('\n')[0]}`);
      continue;
    }
    const g = r.cdc.lagDuringLoad;
    const c = r.content;
    p(
      `  ${pad(k, 10)} ${lpad(g.p50Ms + ' ms', 9)} ${lpad(g.p95Ms + ' ms', 7)} ${lpad(g.p99Ms + ' ms', 7)} ${lpad(g.maxMs + ' ms', 7)} ${lpad(g.staleP99Ms + ' ms', 10)} ${lpad(f1(r.cdc.drainAfterLoadS) + ' s', 7)} ${lpad(r.catchUp ? f1(r.catchUp.catchUpS) + ' s' : '—', 9)} ${lpad(r.catchUp?.changesPerS ?? '—', 10)}  ${c ? `${c.countsMatch ? 'equal' : `LOST ${c.rowsLost}, extra ${c.extraRows}`} / ${c.checksumsMatch ? 'equal' : 'DIFFERS'}` : '—'}`,
    );
  }
  const b = x.backlogLoad;
  if (b)
    p(
      `  backlog: ${b.rowChanges} row changes in ${f1(b.loadS)} s (${prettyBytes(b.binlogBytes ?? 0)} binlog) while paused (worker SIGTERM / STOP SLAVE SQL_THREAD); resumed in turn, source idle`,
    );
  const m = x.migrate;
  if (m?.catchUp)
    p(
      `  migrate catch-up: worker spawn → first change ${f1(m.catchUp.firstChangeS)} s + streaming ${f1(m.catchUp.streamingS)} s`,
    );
  if (m?.worker)
    p(
      `  migrate worker peak RSS ${m.worker.peakRssMb} MB (runs ${m.worker.runs.map((r) => r.peakRssMb).join('/')} MB), CPU ${f1(m.worker.cpuS)} s; initial apply ${f1(m.initialApply?.wallS)} s, RSS ${m.initialApply?.peakRssMb} MB`,
    );
  if (x.cdcCpu)
    p(
      `  CPU s during the load window: source ${f1(x.cdcCpu.sourceServerCpuS)}, migrate dst ${f1(x.cdcCpu.destinationServerCpuS)}, replica ${f1(x.cdcCpu.replicaServerCpuS)}, worker ${f1(x.cdcCpu.workerCpuS)}, machine ${f1(x.cdcCpu.machineBusyCpuS)} (wall ${f1(x.cdcCpu.wallS)} s)`,
    );
  for (const k of ['migrate', 'replica']) if (x[k]?.content?.diffs?.length) p(`  ${k} differs: ${x[k].content.diffs.join('; ')}`);
  if (x.error) p(`  FAILED: ${x.error.split('\n').slice(0, 3).join(' | ')}`);
}

function printMysqlMysql(p, results) {
  const { mysqlMysql: mx, config } = results;
  p();
  if (mx.unavailable) {
    p(`MySQL/MariaDB → MySQL/MariaDB: not run: ${mx.reason}`);
    return;
  }
  const d = mx.dataset;
  p(
    `MySQL/MariaDB → MySQL/MariaDB full migration (schema + data + indexes + FKs): ${d ? `${prettyBytes(d.databaseBytes)} InnoDB, ${d.totalRows.toLocaleString('en-US')} rows` : 'no dataset'} from ${mx.source?.version ?? '—'} into a second server, parallelism ${mx.jobs}${config.repeat > 1 ? `, best of ${config.repeat} interleaved rounds` : ''}:`,
  );
  p(
    `  ${pad('tool', 10)} ${lpad('wall', 8)} ${lpad('rows/s', 9)} ${lpad('rows lost', 10)} ${lpad('peak RSS', 9)} ${lpad('CPU s', 6)}   CPU s: ${lpad('src', 5)} ${lpad('dst', 5)} ${lpad('other', 5)}  schema`,
  );
  for (const name of ['migrate', 'mydumper', 'mysqldump']) {
    const r = mx[name];
    if (!r) continue;
    if (r.unavailable) {
      p(`  ${pad(name, 10)} unavailable: ${r.reason}`);
      continue;
    }
    const wall = r.ok ? `${f1(r.wallS)} s` : 'FAILED';
    const dst = r.destination ?? {};
    const schema = dst.noTables
      ? 'no tables'
      : dst.error
        ? dst.error
        : `indexes ${dst.indexesMatch ? '=' : '≠'}, FKs ${dst.foreignKeysMatch ? '=' : '≠'}, checksums ${dst.checksumsMatch ? '=' : '≠'}`;
    p(
      `  ${pad(name, 10)} ${lpad(wall, 8)} ${lpad(r.ok ? r.rowsPerS : '—', 9)} ${lpad(r.rowsLost, 10)} ${lpad(`${r.process?.peakRssMb ?? '—'} MB`, 9)} ${lpad(f1(r.process?.cpuS), 6)}          ${lpad(f1(r.cpu?.sourceServerCpuS), 5)} ${lpad(f1(r.cpu?.destinationServerCpuS), 5)} ${lpad(f1(r.cpu?.otherCpuS), 5)}  ${schema}`,
    );
    if (name === 'mydumper' && r.dumpS != null)
      p(
        `    mydumper dump ${f1(r.dumpS)} s (${prettyBytes(r.dumpBytes ?? 0)}, ${r.dumpFiles} files) + myloader ${f1(r.loadS)} s`,
      );
    if (!r.ok) p(`    ${name} FAILED: ${r.reason}`);
    if (r.rowsLost > 0 || r.extraRows > 0)
      p(
        `    ${name} ROWS LOST: ${Object.entries(r.lostByTable)
          .map(([t, n]) => `${t} −${n}`)
          .join(
            ', ',
          )}${r.extraRows ? `, ${r.extraRows} extra` : ''}${r.missingTables?.length ? ` (tables missing: ${r.missingTables.join(', ')})` : ''}`,
      );
    if (dst.schemaDiffs?.length) p(`    ${name} schema differs from the source: ${dst.schemaDiffs.slice(0, 6).join('; ')}`);
  }
  if (mx.ratioToMydumper != null) p(`  migrate / mydumper+myloader wall time = ${mx.ratioToMydumper} (target < 1)`);
  if (mx.ratioToMysqldump != null) p(`  migrate / mysqldump|mysql wall time = ${mx.ratioToMysqldump} (target ≤ 0.5)`);
  const ph = mx.migrate?.migratePhases;
  if (ph)
    p(
      `  migrate job phases (status timestamps): job ${f1(ph.jobS)} s = before data ${f1(ph.beforeDataS)} s + data copy ${f1(ph.dataCopyS)} s + after data ${f1(ph.afterDataS)} s`,
    );
  const s = mx.mydumperSettings;
  if (s) {
    p(`  mydumper ${s.version?.debianPackage ?? '—'} (${s.version?.mydumper ?? 'not installed'})`);
    p(`    dump: ${s.dumpCommand}`);
    p(`    load: ${s.loadCommand}`);
  }
  if (mx.mysqldumpSettings) p(`  mysqldump: ${mx.mysqldumpSettings.version?.dump ?? '—'}; ${mx.mysqldumpSettings.commandLine}`);
  if (config.repeat > 1)
    p(
      `  rounds (s): ${['migrate', 'mydumper', 'mysqldump']
        .filter((k) => mx[k]?.rounds)
        .map(
          (k) =>
            `${k} ${mx[k].rounds.map((x) => (x == null ? 'failed' : f1(x))).join('/')} (rows lost ${mx[k].roundsRowsLost.join('/')})`,
        )
        .join(' | ')}`,
    );
}

function printMysql(p, results) {
  const { mysql: my, config } = results;
  p();
  if (my.unavailable) {
    p(`MySQL/MariaDB → PostgreSQL: not run: ${my.reason}`);
    return;
  }
  const d = my.dataset;
  p(
    `MySQL/MariaDB → PostgreSQL full load (schema + data + indexes + FKs + sequences): ${d ? `${prettyBytes(d.databaseBytes)} InnoDB, ${d.totalRows.toLocaleString('en-US')} rows` : 'no dataset'} from ${my.source?.version ?? '—'}, parallelism ${my.jobs}${config.repeat > 1 ? `, best of ${config.repeat} interleaved rounds` : ''}:`,
  );
  for (const t of d?.tables ?? [])
    p(
      `  ${pad(t.name, 20)} ${lpad(t.rows.toLocaleString('en-US'), 12)} rows  data ${lpad(prettyBytes(t.dataBytes), 9)}  indexes ${lpad(prettyBytes(t.indexBytes), 9)}`,
    );
  p(
    `  ${pad('tool', 10)} ${lpad('wall', 8)} ${lpad('rows/s', 9)} ${lpad('rows lost', 10)} ${lpad('peak RSS', 9)} ${lpad('CPU s', 6)}   CPU s: ${lpad('src', 5)} ${lpad('dst', 5)} ${lpad('other', 5)}`,
  );
  for (const name of ['migrate', 'pgloader']) {
    const r = my[name];
    if (!r) continue;
    if (r.unavailable) {
      p(`  ${pad(name, 10)} unavailable: ${r.reason}`);
      continue;
    }
    const wall = r.ok ? `${f1(r.wallS)} s` : 'FAILED';
    p(
      `  ${pad(name, 10)} ${lpad(wall, 8)} ${lpad(r.ok ? r.rowsPerS : '—', 9)} ${lpad(r.rowsLost, 10)} ${lpad(`${r.process?.peakRssMb ?? '—'} MB`, 9)} ${lpad(f1(r.process?.cpuS), 6)}          ${lpad(f1(r.cpu?.sourceServerCpuS), 5)} ${lpad(f1(r.cpu?.destinationServerCpuS), 5)} ${lpad(f1(r.cpu?.otherCpuS), 5)}`,
    );
    if (!r.ok) p(`    ${name} FAILED: ${r.reason}`);
    if (r.rowsLost > 0 || r.extraRows > 0)
      p(
        `    ${name} ROWS LOST: ${Object.entries(r.lostByTable)
          .map(([t, n]) => `${t} −${n}`)
          .join(
            ', ',
          )}${r.extraRows ? `, ${r.extraRows} extra` : ''}${r.missingTables?.length ? ` (tables missing: ${r.missingTables.join(', ')})` : ''}`,
      );
  }
  if (my.ratioRowsPerS != null) p(`  migrate rows/s / pgloader rows/s = ${my.ratioRowsPerS} (target ≥ 2)`);
  // on a shared machine wall time follows the neighbour; the CPU each load used does not (much)
  const used = (r) => (r?.cpu ? r.cpu.clientCpuS + r.cpu.sourceServerCpuS + r.cpu.destinationServerCpuS : null);
  if (used(my.migrate) && used(my.pgloader) && !my.pgloader.unavailable)
    p(
      `  CPU used (tool + MariaDB + PostgreSQL), best rounds: migrate ${f1(used(my.migrate))} s, pgloader ${f1(used(my.pgloader))} s (pgloader / migrate ${(used(my.pgloader) / used(my.migrate)).toFixed(2)}; other processes ${f1(my.migrate.cpu.otherCpuS)} / ${f1(my.pgloader.cpu.otherCpuS)} s)`,
    );
  const ph = my.migrate?.migratePhases;
  if (ph)
    p(
      `  migrate job phases (status timestamps): job ${f1(ph.jobS)} s = before data ${f1(ph.beforeDataS)} s + data copy ${f1(ph.dataCopyS)} s + after data ${f1(ph.afterDataS)} s`,
    );
  const s = my.pgloaderSettings;
  if (s) {
    p(`  pgloader ${s.version?.debianPackage ?? '—'} (${s.version?.reports ?? 'not installed'}) WITH ${s.with.join(', ')}`);
    p(`    command: ${s.commandLine}; ${s.onError}`);
  }
  if (config.repeat > 1)
    p(
      `  rounds (s): ${['migrate', 'pgloader']
        .filter((k) => my[k]?.rounds)
        .map(
          (k) =>
            `${k} ${my[k].rounds.map((x) => (x == null ? 'failed' : f1(x))).join('/')} (rows lost ${my[k].roundsRowsLost.join('/')})`,
        )
        .join(' | ')}`,
    );
}

function printMany(p, results) {
  const { many, config } = results;
  const d = many.dataset;
  p();
  p(
    `Many databases: ${plural(d.databases, 'pgbench database')} (scales ${config.manyMixed ? d.scales.join(',') : `${config.manyScale} each`}), ${prettyBytes(d.totalBytes)} in total, parallelism ${many.jobs}${config.repeat > 1 ? `, best of ${config.repeat} interleaved rounds` : ''}:`,
  );
  const m = many.migrate;
  if (m) {
    const c = m.connections ?? {};
    p(
      `  migrate, one job with all databases: ${m.ok ? `${f1(m.wallS)} s` : `FAILED after ${f1(m.wallS)} s: ${m.reason}`}` +
        `${m.ok ? '' : ` (${m.completedDatabases}/${d.databases} databases completed)`}`,
    );
    p(
      `    apply process peak RSS ${m.process.peakRssMb} MB, CPU ${f1(m.process.cpuS)} s; peak connections (application_name migrate…): source ${c.source?.peak ?? '—'}, destination ${c.destination?.peak ?? '—'}`,
    );
    if (m.ok && m.timeline?.length) {
      const spans = m.timeline.map((x) => x.endS).filter((x) => x != null);
      p(
        `    per database (job-relative): first started ${f1(m.timeline[0].startS)} s, last started ${f1(m.timeline[m.timeline.length - 1].startS)} s, last ended ${f1(Math.max(...spans))} s; start order ${m.timeline
          .slice(0, 6)
          .map((x) => x.name)
          .join(', ')}${m.timeline.length > 6 ? ', …' : ''}`,
      );
    }
  }
  const g = many.pgcopydb;
  if (g) {
    const times = (g.perDatabase ?? []).map((x) => x.wallS);
    p(
      `  pgcopydb clone, one database after the other: ${g.ok ? `${f1(g.wallS)} s (sum; per database ${f1(Math.min(...times))}–${f1(Math.max(...times))} s, mean ${f1(times.reduce((a, b) => a + b, 0) / times.length)} s)` : `FAILED: ${g.reason}`}`,
    );
    p(
      `    peak connections (all backends): source ${g.connections?.source?.peakAll ?? '—'}, destination ${g.connections?.destination?.peakAll ?? '—'}`,
    );
  }
  if (many.ratioMigrateToPgcopydb != null) p(`  migrate / pgcopydb = ${many.ratioMigrateToPgcopydb} (target ≤ 0.5)`);
  if (config.repeat > 1)
    p(
      `  rounds (s): ${['migrate', 'pgcopydb']
        .filter((k) => many[k])
        .map((k) => `${k} ${many[k].rounds.map((x) => (x == null ? 'failed' : f1(x))).join('/')}`)
        .join(' | ')}`,
    );
}

function printSmall(p, results) {
  const { small, config } = results;
  const d = small.dataset;
  p();
  p(
    `Small database (fixed cost): ${prettyBytes(d.databaseBytes)}, pgbench scale ${config.smallScale} + wide_mixed ${config.smallWideRows} rows, parallelism ${small.jobs}${config.repeat > 1 ? `, best of ${config.repeat} interleaved rounds` : ''}:`,
  );
  const m = small.migrate;
  if (m) {
    p(`  migrate apply: ${m.ok ? `${f1(m.wallS)} s` : `FAILED after ${f1(m.wallS)} s: ${m.reason}`}`);
    const s = m.startTo ?? {};
    p(
      `    process start → plan shown ${m.processStartToPlanMs ?? '—'} ms; plan → first byte on the destination ${m.firstByteAfterPlanMs ?? '—'} ms (best round ${m.bestFirstByteAfterPlanMs ?? '—'} ms); plan → exit ${m.planToExitMs ?? '—'} ms`,
    );
    p(
      `    from process start (ms): plan ${s.plan ?? '—'}, state recorded ${s.recorded ?? '—'}, source COPY started ${s.sourceCopyStarted ?? '—'}, destination COPY started ${s.destinationCopyStarted ?? '—'}, first byte ${s.destinationFirstByte ?? '—'}, exit ${s.exit ?? '—'}`,
    );
    const ph = m.migratePhases;
    if (ph)
      p(
        `    job phases (status timestamps): job ${f1(ph.jobS)} s = before data ${f1(ph.beforeDataS)} s + data copy ${f1(ph.dataCopyS)} s + after data ${f1(ph.afterDataS)} s; apply process peak RSS ${m.process.peakRssMb} MB`,
      );
    if (m.logLevel === 'debug') p(`    debug log: ${m.debugLog.length} lines in the results file (small.migrate.debugLog)`);
  }
  const g = small.pgcopydb;
  if (g)
    p(
      `  pgcopydb clone: ${g.ok ? `${f1(g.wallS)} s (CREATE DATABASE + clone ${f1(g.cloneS)} s)` : `FAILED: ${g.reason}`}; start → first byte ${g.firstByteMs ?? '—'} ms`,
    );
  if (small.ratioMigrateToPgcopydb != null) p(`  migrate / pgcopydb = ${small.ratioMigrateToPgcopydb} (target ≤ 0.8)`);
  if (config.repeat > 1)
    p(
      `  rounds (s): ${['migrate', 'pgcopydb']
        .filter((k) => small[k])
        .map((k) => `${k} ${small[k].rounds.map((x) => (x == null ? 'failed' : f1(x))).join('/')}`)
        .join(' | ')}`,
    );
}

export function printReport(results) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  const { machine, config, dataset } = results;
  p(
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}${machine.postgres ? `, ${machine.postgres}` : ''}`,
  );
  p(
    `Load average at start: ${machine.loadAverageAtStart.join(' ')}${machine.loadAverageAtEnd ? `, at end: ${machine.loadAverageAtEnd.join(' ')}` : ''} (the machine may be shared: see "other CPU")`,
  );
  if (dataset) {
    p(
      `Dataset: ${prettyBytes(dataset.databaseBytes)} (pg_database_size), pgbench scale ${config.scale} + wide_mixed ${config.wideRows} rows, generated in ${f1(dataset.generationS)} s`,
    );
    for (const t of dataset.tables)
      p(
        `  ${pad(t.name, 20)} ${lpad(t.rows.toLocaleString('en-US'), 12)} rows  heap ${lpad(prettyBytes(t.tableBytes), 9)}  indexes ${lpad(prettyBytes(t.indexBytes), 9)}`,
      );
  }
  const full = results.fullMigration;
  if (full) {
    p();
    p(
      `Full migration (schema + data + indexes) into a fresh database, parallelism ${config.jobs}${config.repeat > 1 ? `, best of ${config.repeat} interleaved rounds` : ''}:`,
    );
    p(
      `  ${pad('peer', 26)} ${lpad('wall', 8)}   CPU s: ${lpad('client', 6)} ${lpad('src', 5)} ${lpad('dst', 5)} ${lpad('other', 5)}  counts  vs migrate`,
    );
    const m = full.migrate?.ok ? full.migrate.wallS : null;
    for (const [peer, r] of Object.entries(full)) {
      const wall = r.ok ? `${f1(r.wallS)} s` : 'FAILED';
      p(
        `  ${pad(LABELS[peer], 26)} ${lpad(wall, 8)}          ${lpad(f1(r.cpu?.clientCpuS), 6)} ${lpad(f1(r.cpu?.sourceServerCpuS), 5)} ${lpad(f1(r.cpu?.destinationServerCpuS), 5)} ${lpad(f1(r.cpu?.otherCpuS), 5)}  ${r.countsMatch ? 'ok    ' : 'DIFFER'}  ${peer === 'migrate' ? '' : r.ok ? versus(m, r.wallS, peer) : ''}`,
      );
    }
    p('  destination activity (pg_stat_activity every 250 ms): seconds active [destination server CPU s] per statement class');
    for (const [peer, r] of Object.entries(full)) {
      const a = r.destinationActivity ?? {};
      const part = (k, label) => (a[k] ? `${label} ${f1(a[k].activeS)} s [${f1(a[k].dstCpuS)}]` : null);
      p(
        `    ${pad(LABELS[peer], 26)} ${[part('copy', 'COPY'), part('index', 'index/PK'), part('vacuum', 'vacuum/analyze'), part('other', 'other'), part('none', 'nothing active')].filter(Boolean).join(', ')}`,
      );
    }
    p('  (raw: schema created untimed, timed = data pipes + pg_restore --section=post-data -j N; pg_dump+restore = sum of both;');
    p('   "other" CPU = machine CPU not used by these servers or the bench\'s own processes: a busy neighbour slows every peer)');
    if (full.migrate?.migratePhases) {
      const ph = full.migrate.migratePhases;
      p(
        `  migrate phases (status timestamps): CLI/plan/polling outside the job ${f1(ph.outsideJobS)} s, before data ${f1(ph.beforeDataS)} s, data copy ${f1(ph.dataCopyS)} s, after data (indexes, constraints, sequences) ${f1(ph.afterDataS)} s`,
      );
      p(
        `  migrate apply process peak RSS ${full.migrate.process.peakRssMb} MB, CPU ${f1(full.migrate.process.cpuS)} s; largest table ${(() => {
          const t = [...(ph.tables ?? [])].sort((a, b) => b.bytes - a.bytes)[0];
          return t ? `${t.name} in ${t.ranges} ranges, ${f1(t.loadS)} s` : '—';
        })()}`,
      );
    }
    if (config.repeat > 1)
      p(
        `  rounds (s): ${Object.entries(full)
          .map(([k, r]) => `${k} ${r.rounds.map((x) => f1(x)).join('/')}`)
          .join(' | ')}`,
      );
    if (full.raw?.dataS != null) p(`  raw ceiling parts: data ${f1(full.raw.dataS)} s + post-data ${f1(full.raw.postDataS)} s`);
    if (full.pgdump?.pgDumpS != null) p(`  pg_dump ${f1(full.pgdump.pgDumpS)} s + pg_restore ${f1(full.pgdump.pgRestoreS)} s`);
  }
  const cdc = results.cdc;
  if (cdc) {
    p();
    p(
      `CDC: pgbench -c ${config.clients} -j ${config.threads} -T ${config.cdcSeconds} (tpcb-like: 3 UPDATE + 1 INSERT per transaction), lag sampled every ${config.sampleMs} ms:`,
    );
    p(
      `  ${pad('peer', 10)} ${lpad('produced/s', 11)} ${lpad('applied/s', 10)} ${lpad('drain', 7)} ${lpad('lag p50', 9)} ${lpad('p90', 7)} ${lpad('p99', 7)} ${lpad('max', 7)}   initial load`,
    );
    for (const [peer, r] of Object.entries(cdc)) {
      if (!r.cdc) {
        p(`  ${pad(peer, 10)} FAILED: ${(r.error ?? '').split('\n')[0]}`);
        continue;
      }
      const l = r.cdc.lagDuringLoad;
      const init = peer === 'migrate' ? `apply ${f1(r.initialApply?.wallS)} s` : `copy_data sync ${f1(r.initialSyncS)} s`;
      p(
        `  ${pad(peer, 10)} ${lpad(r.cdc.sourceChangesPerS, 11)} ${lpad(r.cdc.appliedChangesPerS, 10)} ${lpad(f1(r.cdc.drainAfterLoadS) + ' s', 7)} ${lpad(l.p50Ms + ' ms', 9)} ${lpad(l.p90Ms + ' ms', 7)} ${lpad(l.p99Ms + ' ms', 7)} ${lpad(l.maxMs + ' ms', 7)}   ${init}`,
      );
    }
    p(`  (applied/s = row changes / (load start → slot confirmed the LSN at load end); drain = that point − load end)`);
    const top = (m) =>
      Object.entries(m ?? {})
        .slice(0, 4)
        .map(([k, v]) => `${k} ${v}%`)
        .join(', ') || '—';
    for (const [peer, r] of Object.entries(cdc)) {
      for (const [what, w] of [
        ['CDC', r.cdc],
        ['catch-up', r.catchUp],
      ]) {
        if (!w?.cpu) continue;
        p(
          `  ${pad(peer, 8)} ${pad(what, 9)} CPU s: consumer ${f1(w.cpu.workerCpuS)}, src server ${f1(w.cpu.sourceServerCpuS)}, dst server ${f1(w.cpu.destinationServerCpuS)}, other ${f1(w.cpu.otherCpuS)} (wall ${f1(w.cpu.wallS)} s)`,
        );
        p(`  ${pad('', 8)} ${pad('', 9)} walsender: ${top(w.waitEvents?.sourceWalsenderPct)}`);
        p(`  ${pad('', 8)} ${pad('', 9)} dst apply: ${top(w.waitEvents?.destinationBackendsPct)}`);
      }
    }
    p();
    p(`Catch-up after a ${config.backlogSeconds} s backlog (consumer paused, same pgbench):`);
    for (const [peer, r] of Object.entries(cdc)) {
      if (!r.catchUp) continue;
      const c = r.catchUp;
      p(
        `  ${pad(peer, 10)} ${c.pgbench.rowChanges} row changes (${prettyBytes(c.backlogWalBytes)} WAL) caught up in ${f1(c.catchUpS)} s → ${c.changesPerS} changes/s [startup ${f1(c.startupS)} s + streaming ${f1(c.streamingS)} s = ${c.streamingChangesPerS}/s while streaming]${c.resumeApplyS != null ? ` (resume apply ${f1(c.resumeApplyS)} s)` : ''}`,
      );
    }
    const mc = cdc.migrate;
    if (mc?.worker)
      p(
        `  migrate worker: peak RSS ${mc.worker.peakRssMb} MB, CPU ${f1(mc.worker.cpuS)} s; continuous apply (initial dump) peak RSS ${mc.initialApply?.peakRssMb} MB`,
      );
    for (const [peer, r] of Object.entries(cdc))
      if (r.contentMatches !== undefined)
        p(
          `  ${peer}: target content after catch-up ${r.contentMatches ? 'matches the source' : `DIFFERS: ${r.contentDiffs.join('; ')}`}`,
        );
    if (mc?.cdc?.workerWriteSyscallsPerTx != null)
      p(
        `  migrate worker: ${mc.cdc.workerWriteSyscallsPerTx} write syscalls per source transaction during CDC (status replies to walsender keepalives + apply queries)`,
      );
    if (mc?.cdc)
      p(
        `  migrate status: appliedChanges +${mc.cdc.statusAppliedChanges} during the CDC window (pgbench: ${mc.cdc.pgbench.rowChanges})`,
      );
  }
  if (results.many) printMany(p, results);
  if (results.small) printSmall(p, results);
  if (results.mysql) printMysql(p, results);
  if (results.mysqlMysql) printMysqlMysql(p, results);
  if (results.mysqlCdc) printMysqlCdc(p, results);
  p();
  p('Targets (README / issue):');
  // pass null: the target could not be checked (a peer unavailable or failed)
  for (const t of results.targets)
    p(`  [${t.pass === null ? ' -- ' : t.pass ? 'PASS' : 'MISS'}] ${pad(t.target, 54)} ${t.detail}`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

export function writeResults(results) {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${results.startedAt.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
