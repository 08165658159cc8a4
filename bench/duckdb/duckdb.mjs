// Times DuckDB on the data set and the queries of sessionagg's benchmarks:
// node duckdb.mjs sessions.csv [sessions.parquet [runs [threads]]], where
// a CSV of - times only the Parquet file and threads is a comma-separated
// list (default 1,2). The CSV and the
// Parquet file come from `go run . -out sessions.csv -parquet
// sessions.parquet`. Each query splits sessions at bucket boundaries in
// SQL, as sessionagg does, and reports count, sum, min, max and avg of the
// runtime and of the cost prorated over each session's length, per row.
// On the CSV, the table is loaded first and not timed; on the Parquet file,
// each query reads the file, as sessionagg's AddParquet does.
import { DuckDBInstance } from '@duckdb/node-api';

const [path, parquetPath, runsArg, threadsArg] = process.argv.slice(2);
if (!path || path === '-' && !parquetPath) {
  console.error('usage: node duckdb.mjs sessions.csv|- [sessions.parquet [runs [threads]]]');
  process.exit(2);
}
const runs = Number(runsArg ?? 3);
const threadCounts = (threadsArg ?? '1,2').split(',').map(Number);

// pieces(size, off): the pieces of each session on a grid of fixed buckets
// of size seconds, offset off seconds east of UTC: bucket k is
// [k*size - off, (k+1)*size - off).
const pieces = (s, size, off, groups) => `
  WITH p AS (
    SELECT ${groups}, start, "end", cost,
           unnest(range((start + ${off}) // ${size}, ("end" - 1 + ${off}) // ${size} + 1)) AS k
    FROM ${s} WHERE "end" > start
  ), q AS (
    SELECT ${groups}, k,
           least("end", (k + 1) * ${size} - ${off}) - greatest(start, k * ${size} - ${off}) AS secs,
           cost * (least("end", (k + 1) * ${size} - ${off}) - greatest(start, k * ${size} - ${off})) / ("end" - start) AS share
    FROM p
  )
  SELECT k, ${groups}, count(*) AS n,
         sum(secs), min(secs), max(secs), avg(secs),
         sum(share), min(share), max(share), avg(share)
  FROM q GROUP BY ALL ORDER BY k, ${groups}`;

// queries(s): the three queries of the sessions in table or view s.
const queries = (s) => [
  ['Q1 hourly UTC+8 by queue', pieces(s, 3600, 8 * 3600, 'queue')],
  ['Q2 daily UTC+8 by queue, user', pieces(s, 86400, 8 * 3600, 'queue, "user"')],
  ['Q3 monthly UTC-3', `
    SELECT m.m_start, count(*) AS n,
           sum(least(s."end", m.m_end) - greatest(s.start, m.m_start)) AS secs,
           min(least(s."end", m.m_end) - greatest(s.start, m.m_start)),
           max(least(s."end", m.m_end) - greatest(s.start, m.m_start)),
           avg(least(s."end", m.m_end) - greatest(s.start, m.m_start)),
           sum(s.cost * (least(s."end", m.m_end) - greatest(s.start, m.m_start)) / (s."end" - s.start)),
           min(s.cost * (least(s."end", m.m_end) - greatest(s.start, m.m_start)) / (s."end" - s.start)),
           max(s.cost * (least(s."end", m.m_end) - greatest(s.start, m.m_start)) / (s."end" - s.start)),
           avg(s.cost * (least(s."end", m.m_end) - greatest(s.start, m.m_start)) / (s."end" - s.start))
    FROM ${s} s JOIN months m ON m.m_start < s."end" AND m.m_end > s.start
    GROUP BY m.m_start ORDER BY m.m_start`],
];

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
let t0 = performance.now();
const csv = path !== '-';
if (csv) {
  await con.run(`CREATE TABLE s AS SELECT * FROM read_csv('${path}', header = true,
  columns = {'start': 'BIGINT', 'end': 'BIGINT', 'queue': 'VARCHAR', 'user': 'VARCHAR', 'itype': 'VARCHAR', 'cost': 'DOUBLE'})`);
}
// The starts of the months in UTC-3 around the window, as Unix seconds.
await con.run(`CREATE TABLE months AS
  SELECT epoch(m + INTERVAL 3 HOUR)::BIGINT AS m_start, epoch(m + INTERVAL 1 MONTH + INTERVAL 3 HOUR)::BIGINT AS m_end
  FROM range(TIMESTAMP '2025-12-01', TIMESTAMP '2026-06-01', INTERVAL 1 MONTH) t(m)`);
const version = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];
let sessions;
if (csv) {
  sessions = Number((await con.runAndReadAll('SELECT count(*) FROM s')).getRows()[0][0]);
  console.log(`DuckDB ${version}: loaded ${sessions} sessions in ${(performance.now() - t0).toFixed(0)} ms (not counted)`);
}

// The Parquet file as the CSV's table: Unix seconds, the labels' short
// names. DuckDB reads only the columns a query uses.
if (parquetPath) {
  await con.run(`CREATE VIEW p AS SELECT epoch_ms(startTime) // 1000 AS start, epoch_ms(endTime) // 1000 AS "end",
    queueId AS queue, userId AS "user", instanceType AS itype, costInUsd AS cost FROM read_parquet('${parquetPath}')`);
}

if (!csv) {
  sessions = Number((await con.runAndReadAll(`SELECT count(*) FROM read_parquet('${parquetPath}')`)).getRows()[0][0]);
  console.log(`DuckDB ${version}: ${sessions} sessions in the Parquet file`);
}

const sources = csv ? [['s', 'CSV loaded', queries('s')]] : [];
if (parquetPath) {
  sources.push(['p', 'Parquet file', queries('p')]);
}
for (const [, from, qs] of sources) {
  for (const threads of threadCounts) {
    await con.run(`SET threads = ${threads}`);
    for (const [name, sql] of qs) {
      let best = Infinity;
      let rows;
      for (let i = 0; i < runs; i++) {
        t0 = performance.now();
        rows = (await con.runAndReadAll(sql)).getRows();
        best = Math.min(best, performance.now() - t0);
      }
      // Sums over all rows: the columns of count, runtime sum and cost sum.
      const off = name.startsWith('Q3') ? 1 : (name.startsWith('Q2') ? 3 : 2);
      let secs = 0, cost = 0;
      for (const r of rows) {
        secs += Number(r[off + 1]);
        cost += Number(r[off + 5]);
      }
      console.log(`${name.padEnd(32)} ${from.padEnd(12)} threads=${threads} ${best.toFixed(1).padStart(8)} ms ${(best * 1e6 / sessions).toFixed(1).padStart(7)} ns/session  rows ${String(rows.length).padStart(7)}  runtime ${secs.toExponential(6)} s  cost ${cost.toExponential(6)} USD`);
    }
  }
}
