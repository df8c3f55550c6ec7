/**
 * `npm run bench -- --scale`: the pipeline on a store of a million events. A small seed of the
 * same history is loaded first and the command, GET /users/{id} and name-prefix list figures are
 * measured on it (the "empty store"); then the rest is bulk-loaded (scale-load.ts) and the same
 * figures are measured again, each reported as a ratio to the empty store's. Then, on the full
 * store: a read-model rebuild, the relay catching up on a backlog of outbox rows left as by
 * commands made while the broker was down, and the bytes each table keeps per event.
 *
 * The two stores are measured one after the other, not in alternating rounds (the store only
 * grows), so a change of machine load between them shows in the ratios.
 */
import os from 'node:os';
import type { Connection } from 'mariadb';
import { registry } from '../../aggregates/index.js';
import { config } from '../../lib/config.js';
import type { Pool } from '../../lib/db/pool.js';
import { keyWrapperOf } from '../../lib/personal-data/keyring-for.js';
import type { Keyring } from '../../lib/personal-data/keyring.js';
import { drainOutbox } from '../../lib/outbox/relay-runner.js';
import { rebuildReadModel } from '../../lib/rebuild/rebuild.js';
import { apiEvent, lambdaContext } from '../../test/support/apigw.js';
import { closedLoop, type LoadResult } from '../support/load.js';
import { NAME_PREFIXES } from '../support/scale-history.js';
import { loadUserHistory, type LoadSummary } from '../support/scale-load.js';
import { quantile, round } from '../support/stats.js';
import { registerOp, summarise } from './commands.js';
import { tableSizes } from './footprint.js';

type Invokable = (event: never, context: never) => Promise<{ statusCode: number }>;

/** The targets: the full store against the empty one, and absolute rates. */
export const SCALE_TARGETS = {
  throughputRatio: 0.9,
  p99Ratio: 0.9,
  rebuildEventsPerSecond: 50000,
  wallSeconds: 15 * 60,
};

export interface ScalePlan {
  /** Events in the full store. */
  events: number;
  /** Events in the "empty" store the baselines are measured on. */
  seedEvents: number;
  /** Outbox rows the relay catches up on. */
  relayBacklog: number;
  rounds: number;
  roundMs: number;
  concurrency: number;
}

export interface ScaleContext {
  plan: ScalePlan;
  /** The admin's connection to a database (the bulk load writes as the admin). */
  connect: (database: string) => Promise<Connection>;
  databases: { commands: string; queries: string };
  command: Invokable;
  query: Invokable;
  /** The operator's pool and keyring, as `npm run rebuild` uses them. */
  operator: { pool: Pool; keyring: Keyring };
  say: (message: string) => void;
}

/** One figure on both stores: rates per round, p99 of all latencies, and their ratios. */
export interface Compared {
  emptyPerSecond: number;
  fullPerSecond: number;
  throughputRatio: number;
  emptyP99Ms: number;
  fullP99Ms: number;
  /** Empty p99 over full p99: 1 when the tail did not grow, below 1 when it did. */
  p99Ratio: number;
}

type Op = (i: number) => Promise<unknown>;

async function rounds(ctx: ScaleContext, op: Op): Promise<LoadResult[]> {
  const out: LoadResult[] = [];
  for (let r = 0; r < ctx.plan.rounds; r++)
    out.push(await closedLoop({ concurrency: ctx.plan.concurrency, durationMs: ctx.plan.roundMs, op }));
  return out;
}

const p99 = (results: LoadResult[]) =>
  quantile(
    results.flatMap((r) => r.latenciesMs),
    0.99,
  );

function compare(what: string, empty: LoadResult[], full: LoadResult[]): Compared {
  const fig = summarise(what, {
    baseline: empty,
    candidate: full,
    ratios: full.map((f, i) => f.perSecond / empty[i]!.perSecond),
  });
  const emptyP99Ms = p99(empty);
  return {
    emptyPerSecond: round(fig.baseline, 0),
    fullPerSecond: round(fig.candidate, 0),
    throughputRatio: round(fig.ratio),
    emptyP99Ms: round(emptyP99Ms, 1),
    fullP99Ms: round(fig.candidateP99Ms, 1),
    p99Ratio: round(emptyP99Ms / fig.candidateP99Ms),
  };
}

/** GET /users/{id} of a random active user, and the first page of a random name prefix. */
function readOps(query: Invokable, ids: string[]): { get: Op; list: Op } {
  const call = async (event: unknown) => {
    const res = await query(event as never, lambdaContext() as never);
    if (res.statusCode !== 200) throw new Error(`the query function answered ${res.statusCode}`);
  };
  const any = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;
  return {
    get: () => {
      const id = any(ids);
      return call(apiEvent({ method: 'GET', path: `/users/${id}`, pathParameters: { id } }));
    },
    list: () =>
      call(apiEvent({ method: 'GET', path: '/users', query: { name: any(NAME_PREFIXES), limit: '20' } })),
  };
}

/** PUT /users/{id}/name of a random active user: reads its history and key, then appends. */
function renameOp(command: Invokable, ids: string[]): Op {
  return async (i) => {
    const id = ids[Math.floor(Math.random() * ids.length)]!;
    const event = apiEvent({
      method: 'PUT',
      path: `/users/${id}/name`,
      pathParameters: { id },
      body: { name: `Renamed User ${i}` },
    });
    const res = await command(event as never, lambdaContext() as never);
    if (res.statusCode !== 200) throw new Error(`PUT /users/{id}/name answered ${res.statusCode}`);
  };
}

interface Measured {
  register: LoadResult[];
  rename: LoadResult[];
  get: LoadResult[];
  list: LoadResult[];
  /** InnoDB pages read from disk during the measured rounds (server-wide). */
  diskReads: number;
  /** The machine's 1-minute load average before and after the measured rounds. */
  loadAverage: [number, number];
}

/** One value the server reports (first row, first column), read on an admin connection of its own. */
async function serverValue(ctx: ScaleContext, sql: string): Promise<number> {
  const admin = await ctx.connect(ctx.databases.commands);
  try {
    const [row] = (await admin.query(sql)) as Array<Record<string, unknown>>;
    return Number(Object.values(row ?? {})[0]);
  } finally {
    await admin.end();
  }
}

/** Pages InnoDB read from disk so far, server-wide (other work on the server counts too). */
const diskReads = (ctx: ScaleContext): Promise<number> =>
  serverValue(
    ctx,
    "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_READS'",
  );

async function measure(ctx: ScaleContext, ids: string[], label: string): Promise<Measured> {
  const reads = readOps(ctx.query, ids);
  const register = registerOp(ctx.command);
  const rename = renameOp(ctx.command, ids);
  ctx.say(`scale: commands, GET /users/{id} and a name-prefix page on the ${label} store`);
  const warm = (op: Op) => closedLoop({ concurrency: 4, durationMs: ctx.plan.roundMs / 3, op });
  for (const op of [register, rename, reads.get, reads.list]) await warm(op);
  const readsBefore = await diskReads(ctx);
  const loadBefore = round(os.loadavg()[0]!);
  return {
    register: await rounds(ctx, register),
    rename: await rounds(ctx, rename),
    get: await rounds(ctx, reads.get),
    list: await rounds(ctx, reads.list),
    diskReads: (await diskReads(ctx)) - readsBefore,
    loadAverage: [loadBefore, round(os.loadavg()[0]!)],
  };
}

/**
 * Writes out the pages the bulk load left dirty in InnoDB's buffer pool (FLUSH TABLES … FOR
 * EXPORT, then UNLOCK TABLES), so the full store is measured at rest and not while every page
 * read must first evict one of the import's unwritten pages. Only the benchmark's tables.
 */
async function settle(ctx: ScaleContext): Promise<void> {
  const admin = await ctx.connect(ctx.databases.commands);
  try {
    for (const db of [ctx.databases.commands, ctx.databases.queries]) {
      const tables = (await admin.query(
        `SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = ? AND table_type = 'BASE TABLE' AND engine = 'InnoDB'`,
        [db],
      )) as Array<{ name: string }>;
      await admin.query(`FLUSH TABLES ${tables.map((t) => `\`${db}\`.\`${t.name}\``).join(', ')} FOR EXPORT`);
      await admin.query('UNLOCK TABLES');
    }
  } finally {
    await admin.end();
  }
}

/** The server's InnoDB buffer pool, which holds the pages reads are served from (MiB). */
async function bufferPoolMiB(ctx: ScaleContext): Promise<number> {
  return Math.round((await serverValue(ctx, 'SELECT @@innodb_buffer_pool_size')) / 2 ** 20);
}

async function load(ctx: ScaleContext, count: number, offset: number): Promise<LoadSummary> {
  const { commands, queries } = ctx.databases;
  const conns = await Promise.all([commands, commands, commands, queries].map((db) => ctx.connect(db)));
  try {
    const [keys, events, writeModel, readModel] = conns as [Connection, Connection, Connection, Connection];
    return await loadUserHistory(
      {
        keys,
        events,
        writeModel,
        readModel,
        wrapper: keyWrapperOf(config.personalData()),
        catalogue: registry.byName('users')!.events,
      },
      {
        count,
        offset,
        onProgress: (loaded) => ctx.say(`scale: loaded ${(offset + loaded).toLocaleString('en')} events`),
      },
    );
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

/** Each table's bytes at rest (data and indexes, after ANALYZE TABLE) per event in the store and per row. */
async function bytesAtRest(ctx: ScaleContext) {
  const admin = await ctx.connect(ctx.databases.commands);
  try {
    const sizes = await tableSizes(admin, [ctx.databases.commands, ctx.databases.queries]);
    const events = sizes.get(`${ctx.databases.commands}.events`)?.rows ?? 0;
    const perEvent: Record<string, number> = {};
    const perRow: Record<string, number> = {};
    // Keyed `commands.events`, `queries.USER_DATA`, …, whatever the benchmark's prefix.
    const stable = (table: string) =>
      table
        .replace(`${ctx.databases.commands}.`, 'commands.')
        .replace(`${ctx.databases.queries}.`, 'queries.');
    for (const [table, size] of sizes) {
      // Only the tables the store fills (not the migrations' bookkeeping, nor the empty outbox).
      if (size.rows < 1000) continue;
      perEvent[stable(table)] = round(size.bytes / events, 1);
      perRow[stable(table)] = round(size.bytes / size.rows, 1);
    }
    return { events, perEvent, perRow };
  } finally {
    await admin.end();
  }
}

async function rebuild(ctx: ScaleContext) {
  ctx.say('scale: rebuilding the read model from the event store');
  let told = 0;
  const started = performance.now();
  const outcome = await rebuildReadModel(ctx.operator.pool, registry, config.databases(), {
    keyring: ctx.operator.keyring,
    onProgress: (p) => {
      if (p.applied - told < 100000) return;
      told = p.applied;
      ctx.say(`scale: rebuilt ${p.applied.toLocaleString('en')} events, ${Math.round(p.eventsPerSecond)}/s`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  if (outcome.outcome !== 'swapped') throw new Error(`the rebuild ended ${outcome.outcome}`);
  return {
    events: outcome.applied,
    seconds: round(seconds, 1),
    eventsPerSecond: round(outcome.applied / seconds, 0),
    // Streams the rebuilt table had behind the loaded read model: 0 when the load was consistent.
    reconciledStreams: outcome.reconciledStreams,
  };
}

/**
 * The broker was down while the last `relayBacklog` commands ran: their publish failed, so their
 * outbox rows stayed (attempts 0, as publish-after-commit leaves them), a minute old. The relay
 * then drains them (and any row a measured command left) as its scheduled run does, in passes of
 * RELAY_BATCH_SIZE.
 */
async function relayCatchUp(ctx: ScaleContext) {
  const admin = await ctx.connect(ctx.databases.commands);
  let pending: number;
  try {
    // IGNORE: a measured command whose publish failed may have left its row already.
    await admin.query(
      `INSERT IGNORE INTO outbox (position, stream_id, stream_type, version, created_at)
       SELECT position, stream_id, stream_type, version, UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE
         FROM events ORDER BY position DESC LIMIT ?`,
      [ctx.plan.relayBacklog],
    );
    const [{ n }] = (await admin.query('SELECT COUNT(*) AS n FROM outbox')) as [{ n: number }];
    pending = Number(n);
  } finally {
    await admin.end();
  }
  ctx.say(`scale: the relay catching up on ${pending.toLocaleString('en')} outbox rows`);
  const started = performance.now();
  const drained = await drainOutbox(30 * 60 * 1000);
  const seconds = (performance.now() - started) / 1000;
  if (drained.published < pending)
    throw new Error(
      `the relay published ${drained.published} of ${pending} (last pass: ${drained.lastOutcome})`,
    );
  return {
    events: drained.published,
    passes: drained.passes,
    batchSize: config.relay().batchSize,
    seconds: round(seconds, 1),
    eventsPerSecond: round(drained.published / seconds, 0),
  };
}

export async function scale(ctx: ScaleContext) {
  const started = performance.now();
  const { plan } = ctx;
  ctx.say(`scale: loading the ${plan.seedEvents.toLocaleString('en')}-event seed (the empty store)`);
  const seed = await load(ctx, plan.seedEvents, 0);
  const empty = await measure(ctx, seed.activeSample, 'empty');
  ctx.say(`scale: bulk-loading ${(plan.events - plan.seedEvents).toLocaleString('en')} more events`);
  const rest = await load(ctx, plan.events - plan.seedEvents, plan.seedEvents);
  ctx.say(`scale: loaded in ${Math.round(rest.seconds)} s; measuring bytes at rest`);
  const atRest = await bytesAtRest(ctx);
  await settle(ctx);
  const full = await measure(ctx, rest.activeSample, 'full');
  const rebuilt = await rebuild(ctx);
  const relay = await relayCatchUp(ctx);
  const byType = Object.fromEntries(
    Object.keys(seed.byType).map((t) => [
      t,
      seed.byType[t as keyof LoadSummary['byType']] + rest.byType[t as keyof LoadSummary['byType']],
    ]),
  );
  return {
    store: {
      loadedEvents: seed.events + rest.events,
      eventsAtRest: atRest.events,
      streams: seed.streams + rest.streams,
      byType,
      loadSeconds: round(seed.seconds + rest.seconds, 1),
      seedEvents: seed.events,
    },
    register: compare('scale: registrations', empty.register, full.register),
    rename: compare('scale: renames', empty.rename, full.rename),
    getUser: compare('scale: GET /users/{id}', empty.get, full.get),
    listByPrefix: compare('scale: list by name prefix', empty.list, full.list),
    loadAverage: { empty: empty.loadAverage, full: full.loadAverage },
    bufferPool: {
      sizeMiB: await bufferPoolMiB(ctx),
      diskReadsEmpty: empty.diskReads,
      diskReadsFull: full.diskReads,
    },
    rebuild: rebuilt,
    relay,
    bytesPerEvent: atRest.perEvent,
    bytesPerRow: atRest.perRow,
    seconds: round((performance.now() - started) / 1000, 0),
  };
}

export type ScaleFigures = Awaited<ReturnType<typeof scale>>;
