/**
 * `npm run bench`: the pipeline against the raw limits of its parts and against a peer, each
 * figure measured in the same run as its baseline and reported as a ratio. Runs on the real
 * local stack (`npm run infra:up` first) in its own databases, users, topic and consumer groups,
 * removed at the end. `--smoke` (or BENCH_SMOKE=1) runs every part briefly, as a check that
 * the benchmark works; its figures mean little.
 *
 * Writes bench/results/latest.json (bench/results/smoke.tmp.json, not kept, for a smoke run) and prints a table.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from 'prettier';
import type { PairedFigure } from './suites/commands.js';
import type { LoadResult } from './support/load.js';
import type { Percentiles } from './support/stats.js';
import { benchTopics, consumerGroup, enter, setUp, tearDown, benchEnv } from './support/stack.js';

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
/** The value of `--name=value` on the command line. */
const option = (name: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(`--${name}=`.length);
const only = option('only')?.split(',');
const wants = (part: string) => !only || only.includes(part);
/** `--scale`: only the scale suite, on a store of `--scale-events` events (a million unless told). */
const scaleMode = process.argv.includes('--scale');
const scaleEvents = Number(
  process.argv.find((a) => a.startsWith('--scale-events='))?.slice('--scale-events='.length) ??
    (smoke ? 20000 : 1000000),
);
if (!Number.isInteger(scaleEvents) || scaleEvents < 10000) {
  console.error('--scale-events must be a whole number of at least 10000');
  process.exit(2);
}
/**
 * `--runs=N` (or BENCH_FRESHNESS_RUNS): freshness at 100/s through `sls offline` N times, each
 * time against an `sls offline` started anew, so each run meets whatever its start leaves.
 */
const offlineRuns = Math.max(
  1,
  Math.floor(Number(option('runs') ?? process.env.BENCH_FRESHNESS_RUNS ?? 1)) || 1,
);
/** The freshness target at 100/s (ms, p99). */
const FRESHNESS_P99_TARGET_MS = 50;

/** Durations and counts: a full run takes about five minutes, a smoke run well under two. */
const plan = smoke
  ? {
      rounds: 1,
      roundMs: 400,
      freshMs: 2000,
      httpSeconds: 2,
      initTimes: 1,
      producerRecords: 3000,
      stepMs: 300,
    }
  : {
      rounds: 3,
      roundMs: 3000,
      freshMs: 10000,
      httpSeconds: 10,
      initTimes: 5,
      producerRecords: 50000,
      stepMs: 2000,
    };
const CONCURRENCY = [1, 16, 64] as const;
const POOL = 32;

enter();
process.env.COMMAND_DB_CONNECTIONS = String(POOL);
const HTTP_PORT = Number(process.env.BENCH_HTTP_PORT ?? 3460);
const EMMETT_DB = `${process.env.BENCH_PREFIX ?? 'bench'}_emmett`;

const { ROOT } = await import('../infra/paths.js');
const { closedLoop, paired } = await import('./support/load.js');
const { percentiles, round } = await import('./support/stats.js');
const { recordsFromKafkaEvent } = await import('../lib/projection/kafka-event.js');
const commands = await import('./suites/commands.js');
const { outboxLimitOp } = await import('./suites/outbox-limit.js');
const { KafkaEventBus } = await import('../lib/bus/kafka.js');
const { config } = await import('../lib/config.js');
const { commandSteps } = await import('./suites/steps.js');
const projection = await import('./suites/projection.js');
const producer = await import('./suites/producer.js');
const { freshness } = await import('./suites/freshness.js');
const { inProcessEventSource } = await import('./suites/event-source.js');
const { httpLoad } = await import('./suites/http.js');
const emmett = await import('./suites/emmett.js');
const { bundles } = await import('./suites/bundles.js');
const { cryptoCosts } = await import('./suites/crypto-floor.js');
const { footprint } = await import('./suites/footprint.js');
const { scale, SCALE_TARGETS } = await import('./suites/scale.js');
const { keyringFor } = await import('../lib/personal-data/keyring-for.js');
const { startOffline } = await import('../test/support/offline.js');
const { handler: commandHandler } = await import('../functions/command/handler.js');
const { handler: queryHandler } = await import('../functions/query/handler.js');
const { handler: projectionHandler } = await import('../functions/projection/handler.js');
const { closeCommandDeps } = await import('../lib/commands/deps.js');
const { closePools, pool } = await import('../lib/db/pool.js');
const { commandHandlerOn } = await import('./support/command-handler.js');
const { acquireStack } = await import('../infra/stack.js');

type Row = { figure: string; ours: string; baseline: string; ratio: string; target: string };
const rows: Row[] = [];
const results: Record<string, unknown> = {
  ratios: {} as Record<string, unknown>,
  command_per_s: {} as Record<string, number>,
  outbox_limit_per_s: {} as Record<string, number>,
  projection_events_per_s: {} as Record<string, number>,
  freshness_ms: {} as Record<string, unknown>,
  bundle_kib: {} as Record<string, number>,
  init_ms: {} as Record<string, number>,
};
const ratios = results.ratios as Record<string, unknown>;
const detail: Record<string, unknown> = {};

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const verdict = (value: number, target: number) => `≥ ${target} ${value >= target ? 'met' : 'NOT met'}`;
/** A table row for a paired figure: ours against the baseline, the ratio against its target. */
const pairedRow = (figure: string, fig: PairedFigure, target: number): Row => ({
  figure,
  ours: fmt(fig.candidate),
  baseline: fmt(fig.baseline),
  ratio: fmt(fig.ratio, 2),
  target: verdict(fig.ratio, target),
});
const say = (message: string) => console.error(`[bench] ${message}`);
// The commands suite (and the peer comparison) publish to a topic nobody consumes.
const commandsOwnTopic = commandHandlerOn(benchTopics.commands);
const ourCommand = commands.registerOp(commandsOwnTopic.handler as never);

async function commandsVsRaw(): Promise<void> {
  const raw = await commands.rawPool(POOL);
  const limitBus = new KafkaEventBus({ ...config.kafka(), topic: benchTopics.commands });
  const limitOp = outboxLimitOp(pool('command'), limitBus);
  try {
    await closedLoop({ concurrency: 4, durationMs: plan.roundMs / 2, op: ourCommand });
    await closedLoop({ concurrency: 4, durationMs: plan.roundMs / 2, op: limitOp });
    const byConcurrency: Record<string, number> = {};
    const vsLimit: Record<string, number> = {};
    for (const c of CONCURRENCY) {
      say(`commands vs the outbox limit at concurrency ${c}`);
      const limitRun = await paired(
        plan.rounds,
        () => closedLoop({ concurrency: c, durationMs: plan.roundMs, op: limitOp }),
        () => closedLoop({ concurrency: c, durationMs: plan.roundMs, op: ourCommand }),
      );
      const limitFig = commands.summarise(`commands vs outbox limit at ${c}`, limitRun);
      vsLimit[c] = round(limitFig.ratio);
      detail[`commands_vs_outbox_limit_${c}`] = limitFig;
      (results.outbox_limit_per_s as Record<string, number>)[c] = round(limitFig.baseline, 0);
      rows.push(pairedRow(`command fn, concurrency ${c} (cmd/s) vs the outbox limit`, limitFig, 0.8));

      say(`commands vs raw INSERT at concurrency ${c}`);
      const run = await paired(
        plan.rounds,
        () => closedLoop({ concurrency: c, durationMs: plan.roundMs, op: commands.rawInsertOp(raw) }),
        () => closedLoop({ concurrency: c, durationMs: plan.roundMs, op: ourCommand }),
      );
      const fig = commands.summarise(`commands at ${c}`, run);
      (results.command_per_s as Record<string, number>)[c] = round(fig.candidate, 0);
      byConcurrency[c] = round(fig.ratio);
      detail[`commands_${c}`] = fig;
      rows.push({
        ...pairedRow(`command fn, concurrency ${c} (cmd/s) vs one raw INSERT commit`, fig, 0),
        target: 'informational (not the limit of an outbox)',
      });
    }
    ratios.command_vs_outbox_limit = vsLimit[16];
    ratios.command_vs_outbox_limit_by_concurrency = vsLimit;
    ratios.command_vs_raw_commit = byConcurrency[16];
    ratios.command_vs_raw_commit_by_concurrency = byConcurrency;

    say('commands vs the naive dual write at concurrency 16');
    const naive = await commands.naiveDualWrite(raw, benchTopics.commands);
    const naiveOp = commands.registerOp(naive.handler as never);
    const naiveRound = async () => {
      const started = performance.now();
      const r = await closedLoop({ concurrency: 16, durationMs: plan.roundMs, op: naiveOp });
      await naive.drain();
      const elapsedMs = performance.now() - started;
      return { ...r, elapsedMs, perSecond: (r.ops / elapsedMs) * 1000 };
    };
    const run = await paired(plan.rounds, naiveRound, () =>
      closedLoop({ concurrency: 16, durationMs: plan.roundMs, op: ourCommand }),
    );
    const fig = commands.summarise('naive dual write', run);
    ratios.command_vs_naive_dual_write = round(fig.ratio);
    detail.naive_dual_write_16 = fig;
    rows.push(pairedRow('command fn, concurrency 16 vs naive dual write (cmd/s)', fig, 0.8));

    // The same writes by hand against the naive path: what any transactional outbox with an
    // awaited acknowledgement reaches against it, so the ceiling of the ratio above.
    say('the outbox limit vs the naive dual write at concurrency 16');
    const ceilingRun = await paired(plan.rounds, naiveRound, () =>
      closedLoop({ concurrency: 16, durationMs: plan.roundMs, op: limitOp }),
    );
    await naive.close();
    const ceiling = commands.summarise('outbox limit vs naive dual write', ceilingRun);
    ratios.outbox_limit_vs_naive_dual_write = round(ceiling.ratio);
    detail.outbox_limit_vs_naive_dual_write_16 = ceiling;
    rows.push({
      ...pairedRow('outbox limit, concurrency 16 vs naive dual write (cmd/s)', ceiling, 0),
      target: 'informational: the ceiling of the row above',
    });

    say('command steps on their own');
    const steps: Record<string, unknown> = {};
    for (const c of [1, 16])
      steps[c] = await commandSteps(pool('command'), benchTopics.commands, c, plan.stepMs);
    detail.command_steps_per_s = steps;
  } finally {
    await limitBus.close();
    await raw.end();
  }
}

async function projectionVsBulk(): Promise<void> {
  const raw = projection.projectionPool();
  const topic = benchEnv.KAFKA_TOPIC!;
  try {
    for (const size of [100, 1000]) {
      say(`projection batches of ${size}`);
      const batches = (n: number) =>
        Array.from({ length: n }, () => projection.registrationBatch(topic, size));
      const count = Math.max(3, Math.ceil((30000 * plan.roundMs) / 1000 / size));
      let ours: ReturnType<typeof batches> = [];
      let base: ReturnType<typeof batches> = [];
      const run = await paired(
        plan.rounds,
        async () => {
          base = batches(count);
          return closedLoop({
            concurrency: 1,
            durationMs: plan.roundMs,
            maxOps: count,
            op: (i) => projection.rawBulkUpsert(raw, base[i]!.events),
          });
        },
        async () => {
          ours = batches(count);
          return closedLoop({
            concurrency: 1,
            durationMs: plan.roundMs,
            maxOps: count,
            op: async (i) => {
              const summary = await projectionHandler(ours[i]!.lambdaEvent as never);
              if (summary.applied !== size) throw new Error(`applied ${summary.applied} of ${size}`);
            },
          });
        },
      );
      const fig = commands.summarise(`projection ${size}`, run);
      const perSecond = fig.candidate * size;
      (results.projection_events_per_s as Record<string, number>)[size] = round(perSecond, 0);
      ratios[`projection_vs_raw_bulk_${size}`] = round(fig.ratio);
      if (size === 1000) ratios.projection_vs_raw_bulk = round(fig.ratio);
      detail[`projection_${size}`] = {
        ...fig,
        eventsPerSecond: perSecond,
        baselineEventsPerSecond: fig.baseline * size,
      };
      rows.push({
        figure: `projection, batches of ${size} (events/s) vs raw bulk upsert`,
        ours: fmt(perSecond),
        baseline: fmt(fig.baseline * size),
        ratio: fmt(fig.ratio, 2),
        target: `${verdict(fig.ratio, 0.5)}; ${perSecond >= 20000 ? '≥ 20k/s met' : '≥ 20k/s NOT met'}`,
      });
    }
  } finally {
    await raw.end();
  }
}

/** What tracing costs: the same command (concurrency 16) and projection batch (1,000) with and without it. */
async function tracingCost(): Promise<void> {
  const { setTracingEnabled } = await import('../lib/telemetry/tracing.js');
  const topic = benchEnv.KAFKA_TOPIC!;
  const withTracing = (on: boolean, work: () => Promise<LoadResult>) => async () => {
    setTracingEnabled(on);
    try {
      return await work();
    } finally {
      setTracingEnabled(true);
    }
  };
  say('a command with and without tracing at concurrency 16');
  const command = () => closedLoop({ concurrency: 16, durationMs: plan.roundMs, op: ourCommand });
  const commandRun = await paired(plan.rounds, withTracing(false, command), withTracing(true, command));
  const commandFig = commands.summarise('tracing, commands', commandRun);
  ratios.command_traced_vs_untraced = round(commandFig.ratio);
  detail.tracing_command_16 = commandFig;
  rows.push(pairedRow('command fn traced vs untraced, concurrency 16 (cmd/s)', commandFig, 0.95));

  say('a projection batch of 1000 with and without tracing');
  const count = Math.max(3, Math.ceil((30000 * plan.roundMs) / 1000 / 1000));
  const batch = () => {
    const batches = Array.from({ length: count }, () => projection.registrationBatch(topic, 1000));
    return closedLoop({
      concurrency: 1,
      durationMs: plan.roundMs,
      maxOps: count,
      op: async (i) => {
        const summary = await projectionHandler(batches[i]!.lambdaEvent as never);
        if (summary.applied !== 1000) throw new Error(`applied ${summary.applied} of 1000`);
      },
    });
  };
  const batchRun = await paired(plan.rounds, withTracing(false, batch), withTracing(true, batch));
  const batchFig = commands.summarise('tracing, projection', batchRun);
  ratios.projection_traced_vs_untraced = round(batchFig.ratio);
  detail.tracing_projection_1000 = batchFig;
  rows.push(pairedRow('projection traced vs untraced, batches of 1000 (batches/s)', batchFig, 0.95));
}

/**
 * What sealing personal fields costs: the same command (concurrency 16) with the users' catalogue
 * as it is and with no personal field declared (nothing sealed, no key made), and the same
 * projection batch of 1,000 new users with sealed names (keys found, unwrapped and opened) and
 * with plain ones. Target: at most 10% lower throughput each (ratio ≥ 0.9).
 */
async function personalDataCost(): Promise<void> {
  const { buildRegistry } = await import('../lib/aggregate/registry.js');
  const { registry } = await import('../aggregates/index.js');
  const { keyringFor } = await import('../lib/personal-data/keyring-for.js');
  const topic = benchEnv.KAFKA_TOPIC!;
  const plainRegistry = buildRegistry(
    registry.aggregates.map((a) => ({
      ...a,
      events: Object.fromEntries(
        Object.entries(a.events).map(([t, spec]) => [t, { ...spec, personal: undefined }]),
      ),
    })),
  );
  const plainHandler = commandHandlerOn(benchTopics.commands, plainRegistry);
  try {
    say('a command with and without sealing the name, at concurrency 16');
    const plainCommand = commands.registerOp(plainHandler.handler as never);
    const run = (op: typeof ourCommand) => () =>
      closedLoop({ concurrency: 16, durationMs: plan.roundMs, op });
    const commandRun = await paired(plan.rounds, run(plainCommand), run(ourCommand));
    const commandFig = commands.summarise('personal data, commands', commandRun);
    ratios.command_sealed_vs_plain = round(commandFig.ratio);
    detail.personal_data_command_16 = commandFig;
    rows.push(pairedRow('command fn sealing the name vs not, concurrency 16 (cmd/s)', commandFig, 0.9));
  } finally {
    await plainHandler.close();
  }

  say('a projection batch of 1000 new users with sealed and with plain names');
  // Fewer batches than the tracing run: each sealed one first makes and stores 1,000 keys.
  const count = Math.max(3, Math.ceil((4000 * plan.roundMs) / 1000 / 1000));
  const keyring = keyringFor('command');
  const batch = (sealed: boolean) => async () => {
    const batches: Array<ReturnType<typeof projection.registrationBatch>> = [];
    for (let i = 0; i < count; i++) {
      batches.push(
        sealed
          ? await projection.sealedRegistrationBatch(topic, 1000, keyring)
          : projection.registrationBatch(topic, 1000),
      );
    }
    return closedLoop({
      concurrency: 1,
      durationMs: plan.roundMs,
      maxOps: count,
      op: async (i) => {
        const summary = await projectionHandler(batches[i]!.lambdaEvent as never);
        if (summary.applied !== 1000) throw new Error(`applied ${summary.applied} of 1000`);
      },
    });
  };
  const batchRun = await paired(plan.rounds, batch(false), batch(true));
  const batchFig = commands.summarise('personal data, projection', batchRun);
  ratios.projection_sealed_vs_plain = round(batchFig.ratio);
  detail.personal_data_projection_1000 = batchFig;
  rows.push(pairedRow('projection of sealed vs plain names, batches of 1000 (batches/s)', batchFig, 0.9));

  say('the cipher calls of sealing on their own');
  const costs = await cryptoCosts(smoke ? 2000 : 20000);
  // A plain batch's time per event in this run, and the ratio sealing would leave if each new
  // user's floor were spent one after the other on the batch's thread, hidden behind nothing.
  const plainUsPerEvent = 1e6 / (batchFig.baseline * 1000);
  const ceiling = plainUsPerEvent / (plainUsPerEvent + costs.newUserFloorUs);
  // What a new user may cost at most for the batch to keep 0.9 of the plain rate on one thread.
  const budgetUs = plainUsPerEvent / 9;
  detail.personal_data_crypto_us = {
    ...costs,
    plainProjectionUsPerEvent: round(plainUsPerEvent, 1),
    serialCeilingSealedVsPlain: round(ceiling),
    newUserBudgetForTargetUs: round(budgetUs),
  };
  rows.push({
    figure: 'a new user in a projection batch: unwrap + KeyObject + open (µs per call)',
    ours: `${costs.newUserFloorUs} µs (${costs.unwrapUs} + ${costs.keyObjectUs} + ${costs.openUs})`,
    baseline: `${round(plainUsPerEvent, 1)} µs per plain event (0.9 leaves ${round(budgetUs)} µs per new user)`,
    ratio: round(ceiling).toString(),
    target: 'informational: the sealed/plain ratio if that floor is spent serially',
  });
  rows.push({
    figure: 'alternatives: WebCrypto AES-GCM decrypt dispatch; randomBytes(12) vs the pool (µs per call)',
    ours: `${costs.webCryptoDecryptUs} µs; ${costs.randomBytesUs} vs ${costs.pooledRandomUs} µs`,
    baseline: `${costs.openUs} µs per open (node:crypto)`,
    ratio: '-',
    target: 'informational',
  });
}

async function producerVsKafka(): Promise<void> {
  say('producer vs Kafka ProducerPerformance');
  const { events, recordBytes } = producer.sampleEvents(plan.producerRecords);
  const bus = producer.newBus(benchTopics.producer);
  try {
    await bus.publish(events.slice(0, 10));
    const java = await producer.kafkaProducerPerf(benchTopics.producer, plan.producerRecords, recordBytes);
    const bulk = await producer.ourProducer(bus, events, 500, 4, 60000);
    const single = await producer.ourProducer(bus, events, 1, 64, plan.roundMs * 2);
    const java2 = await producer.kafkaProducerPerf(benchTopics.producer, plan.producerRecords, recordBytes);
    const baseline = (java + java2) / 2;
    ratios.producer_vs_kafka_perf = round(bulk / baseline);
    ratios.producer_single_event_vs_kafka_perf = round(single / baseline);
    detail.producer = { recordBytes, kafkaPerfRecordsPerSecond: [java, java2], bulk, single };
    rows.push({
      figure: `producer, 500 events/publish x4 (rec/s, ${recordBytes} B) vs ProducerPerformance`,
      ours: fmt(bulk),
      baseline: fmt(baseline),
      ratio: fmt(bulk / baseline, 2),
      target: 'informational',
    });
    rows.push({
      figure: 'producer, 1 event/publish x64 callers (rec/s) vs ProducerPerformance',
      ours: fmt(single),
      baseline: fmt(baseline),
      ratio: fmt(single / baseline, 2),
      target: 'informational',
    });
  } finally {
    await bus.close();
  }
}

/** The one-minute load average now, for the figures a busy machine moves. */
const loadNow = () => round(os.loadavg()[0] ?? Number.NaN, 1);

/**
 * Freshness at 100/s and 500/s (or `rates`). The first commands after start-up, at 20/s for 1 s,
 * also warm this process's handlers; they are reported too, as what a user's first commands meet.
 * `run` names one of several runs against `sls offline` started anew.
 */
async function freshnessRuns(
  where: string,
  command: typeof commandHandler,
  {
    applied,
    rates = [100, 500],
    run,
  }: { applied?: Map<string, { start: number; end: number }>; rates?: number[]; run?: number } = {},
): Promise<Record<string, Percentiles & { load_average: number }>> {
  const fresh: Record<string, Percentiles & { load_average: number }> = {};
  const label = `${where}${run ? `, run ${run} of ${offlineRuns}` : ''}`;
  const key = (name: string) =>
    `${name}${where === 'sls offline' ? '' : '_in_process'}${run && run > 1 ? `_run${run}` : ''}`;
  const first = await freshness(command as never, queryHandler as never, 20, 1000);
  const { answeredAt: _a, seenAt: _s, ...firstFigure } = first;
  detail[key('freshness_first_commands')] = firstFigure;
  rows.push({
    figure: `first 20 commands after start-up (20/s), 2xx → visible, ${label} (ms p50/p95/p99)`,
    ours: `${first.p50}/${first.p95}/${first.p99}`,
    baseline: '-',
    ratio: '-',
    target: 'informational',
  });
  for (const rate of rates) {
    say(`freshness at ${rate} commands/s, projection in ${label}`);
    const fig = await freshness(command as never, queryHandler as never, rate, plan.freshMs);
    const load = loadNow();
    fresh[rate] = { p50: fig.p50, p95: fig.p95, p99: fig.p99, load_average: load };
    const { answeredAt, seenAt, ...figure } = fig;
    detail[key(`freshness_${rate}`)] = {
      ...figure,
      load_average: load,
      ...(applied ? { steps: freshnessSteps(answeredAt, seenAt, applied) } : {}),
    };
    rows.push({
      figure: `freshness at ${rate}/s, 2xx → visible, ${label} (ms p50/p95/p99)`,
      ours: `${fig.p50}/${fig.p95}/${fig.p99} (load ${load})`,
      baseline: '-',
      ratio: '-',
      target:
        rate === 100
          ? `p99 ≤ ${FRESHNESS_P99_TARGET_MS} ${fig.p99 <= FRESHNESS_P99_TARGET_MS ? 'met' : 'NOT met'}`
          : 'informational',
    });
  }
  return fresh;
}

/** Where the time between a 2xx and the read goes: to the projection's start, in it, to the read. */
function freshnessSteps(
  answeredAt: Map<string, number>,
  seenAt: Map<string, number>,
  applied: Map<string, { start: number; end: number }>,
) {
  const toProjection: number[] = [];
  const inProjection: number[] = [];
  const toRead: number[] = [];
  for (const [id, answered] of answeredAt) {
    const a = applied.get(id);
    const seen = seenAt.get(id);
    if (!a || seen === undefined) continue;
    toProjection.push(a.start - answered);
    inProjection.push(a.end - a.start);
    toRead.push(seen - a.end);
  }
  return {
    answerToProjectionStartMs: percentiles(toProjection),
    projectionBatchMs: percentiles(inProjection),
    appliedToReadMs: percentiles(toRead),
  };
}

/**
 * The same through the plugin's event source in this process, calling the projection handler,
 * with the time each user's batch started and ended for the breakdown.
 */
async function freshnessInProcess(): Promise<void> {
  say('freshness with the event source in this process');
  const applied = new Map<string, { start: number; end: number }>();
  const command = commandHandlerOn(benchTopics.inProcess);
  const source = await inProcessEventSource(
    benchTopics.inProcess,
    consumerGroup('in-process'),
    async (event) => {
      const start = performance.now();
      const summary = await projectionHandler(event as never);
      const end = performance.now();
      for (const r of recordsFromKafkaEvent(event as never))
        if (r.key) applied.set(r.key.toString(), { start, end });
      return summary;
    },
  );
  try {
    results.freshness_in_process_ms = await freshnessRuns(
      'in-process event source',
      command.handler as typeof commandHandler,
      { applied },
    );
  } finally {
    await source.stop();
    await command.close();
  }
}

/**
 * Through `sls offline`: freshness (the first of `offlineRuns` runs at 100/s and 500/s, the
 * others at 100/s, each against an `sls offline` started anew on the same consumer group) and HTTP
 * (the first run).
 */
async function throughOfflineRuns(): Promise<void> {
  const runs: Array<Percentiles & { run: number; load_average: number; met: boolean }> = [];
  for (let run = 1; run <= (wants('freshness') ? offlineRuns : 1); run++) {
    const fresh = await throughOffline(offlineRuns > 1 ? run : undefined);
    const at100 = fresh?.[100];
    if (at100) runs.push({ run, ...at100, met: at100.p99 <= FRESHNESS_P99_TARGET_MS });
  }
  if (!runs.length) return;
  const met = runs.filter((r) => r.met).length;
  results.freshness_100_runs = {
    target_p99_ms: FRESHNESS_P99_TARGET_MS,
    met: `${met} of ${runs.length}`,
    runs,
  };
  if (runs.length > 1)
    rows.push({
      figure: `freshness at 100/s through sls offline: runs with p99 ≤ ${FRESHNESS_P99_TARGET_MS} ms`,
      ours: `${met} of ${runs.length} (p99 ${runs.map((r) => r.p99).join(' / ')} ms)`,
      baseline: '-',
      ratio: '-',
      target: `${runs.length} of ${runs.length} ${met === runs.length ? 'met' : 'NOT met'}`,
    });
}

async function throughOffline(
  run?: number,
): Promise<Record<string, Percentiles & { load_average: number }> | undefined> {
  say(
    `starting sls offline (projection through the offline Kafka plugin)${run ? `, run ${run} of ${offlineRuns}` : ''}`,
  );
  let fresh: Record<string, Percentiles & { load_average: number }> | undefined;
  const server = await startOffline({
    httpPort: HTTP_PORT,
    lambdaPort: HTTP_PORT + 2,
    consumerGroup: consumerGroup('projection'),
    env: { LOG_LEVEL: 'warn' },
  });
  try {
    if (wants('freshness')) {
      fresh = await freshnessRuns('sls offline', commandHandler, {
        rates: (run ?? 1) === 1 ? [100, 500] : [100],
        run,
      });
      if ((run ?? 1) === 1) results.freshness_ms = fresh;
    }
    if (wants('http') && (run ?? 1) === 1) {
      say('HTTP through sls offline (autocannon, 16 connections)');
      const warm = { method: 'POST' as const, path: '/users', body: JSON.stringify({ name: 'Warm Up' }) };
      await httpLoad(server.url, 'warm-up', warm, 2);
      const post = await httpLoad(
        server.url,
        'POST /users',
        { method: 'POST', path: '/users', body: JSON.stringify({ name: 'Http User' }) },
        plan.httpSeconds,
      );
      const created = await fetch(`${server.url}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Read Me' }),
      });
      const { id } = (await created.json()) as { id: string };
      for (let i = 0; i < 100; i++) {
        if ((await fetch(`${server.url}/users/${id}`)).status === 200) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await httpLoad(server.url, 'warm-up', { method: 'GET', path: `/users/${id}` }, 2);
      const get = await httpLoad(
        server.url,
        'GET /users/{id}',
        { method: 'GET', path: `/users/${id}` },
        plan.httpSeconds,
      );
      results.http = { post, get };
      for (const fig of [post, get]) {
        rows.push({
          figure: `HTTP ${fig.route} via sls offline, 16 conns (req/s, p99 ms)`,
          ours: `${fig.requestsPerSecond} r/s, p99 ${fig.p99Ms}`,
          baseline: '-',
          ratio: '-',
          target: `informational${fig.non2xx ? `, ${fig.non2xx} non-2xx` : ''}`,
        });
      }
    }
  } finally {
    const logFile = process.env.BENCH_OFFLINE_LOG;
    if (logFile) writeFileSync(run && run > 1 ? `${logFile}.run${run}` : logFile, server.output());
    await server.stop();
  }
  return fresh;
}

async function versusEmmett(): Promise<void> {
  say('command fn vs emmett (PostgreSQL) at concurrency 16');
  try {
    await emmett.resetPostgres(EMMETT_DB);
  } catch (error) {
    const reason = `PostgreSQL unreachable at ${emmett.postgresUrl(EMMETT_DB)}: ${(error as Error).message}`;
    ratios.command_vs_emmett = null;
    detail.emmett = { skipped: reason };
    rows.push({
      figure: 'command fn vs emmett-postgresql',
      ours: '-',
      baseline: '-',
      ratio: '-',
      target: reason,
    });
    return;
  }
  const peer = await emmett.emmettRegister(EMMETT_DB, POOL);
  try {
    const peerOp = commands.registerOp(peer.handler as never);
    await closedLoop({ concurrency: 4, durationMs: plan.roundMs / 2, op: peerOp });
    const run = await paired(
      plan.rounds,
      () => closedLoop({ concurrency: 16, durationMs: plan.roundMs, op: peerOp }),
      () => closedLoop({ concurrency: 16, durationMs: plan.roundMs, op: ourCommand }),
    );
    const fig = commands.summarise('emmett', run);
    ratios.command_vs_emmett = round(fig.ratio);
    detail.emmett_16 = fig;
    rows.push(pairedRow('command fn vs emmett-postgresql, concurrency 16 (cmd/s)', fig, 1.3));
  } finally {
    await peer.close();
    await emmett.dropPostgres(EMMETT_DB);
  }
}

/** What a command leaves at rest in each table (registration with an Idempotency-Key, projected). */
async function footprintAtRest(): Promise<void> {
  say('bytes each command leaves in each table at rest');
  const { adminConnection } = await import('./support/stack.js');
  const admin = await adminConnection();
  try {
    const perCommand = await footprint({
      admin,
      events: pool('operator'),
      databases: { commands: benchEnv.COMMANDS_DB!, queries: benchEnv.QUERIES_DB! },
      command: commandsOwnTopic.handler as never,
      projection: projectionHandler as never,
      count: smoke ? 300 : 5000,
    });
    results.bytes_per_command = perCommand;
    for (const [table, bytes] of Object.entries(perCommand)) {
      rows.push({
        figure: `bytes per registration at rest: ${table.replace(/^bench_/, '')}`,
        ours: String(bytes),
        baseline: '-',
        ratio: '-',
        target: 'informational',
      });
    }
  } finally {
    await admin.end();
  }
}

/** The scale suite: a million-event store against a nearly empty one (bench/suites/scale.ts). */
async function scaleRun(): Promise<void> {
  const { adminConnection } = await import('./support/stack.js');
  const fig = await scale({
    plan: {
      events: scaleEvents,
      seedEvents: 2000,
      relayBacklog: Math.min(100000, scaleEvents / 10),
      rounds: plan.rounds,
      roundMs: plan.roundMs,
      concurrency: 16,
    },
    connect: adminConnection,
    databases: { commands: benchEnv.COMMANDS_DB!, queries: benchEnv.QUERIES_DB! },
    command: commandsOwnTopic.handler as never,
    query: queryHandler as never,
    operator: { pool: pool('operator'), keyring: keyringFor('operator') },
    say,
  });
  results.scale = fig;
  const size = `${Math.round(fig.store.loadedEvents / 1000)}k events`;
  const compared = (figure: string, c: (typeof fig)['register'], throughput: boolean) => {
    if (throughput)
      rows.push({
        figure: `${figure} at ${size} vs empty store (per s)`,
        ours: fmt(c.fullPerSecond),
        baseline: fmt(c.emptyPerSecond),
        ratio: fmt(c.throughputRatio, 2),
        target: verdict(c.throughputRatio, SCALE_TARGETS.throughputRatio),
      });
    rows.push({
      figure: `${figure} p99 at ${size} vs empty store (ms; ratio empty/full)`,
      ours: fmt(c.fullP99Ms, 1),
      baseline: fmt(c.emptyP99Ms, 1),
      ratio: fmt(c.p99Ratio, 2),
      target: verdict(c.p99Ratio, SCALE_TARGETS.p99Ratio),
    });
  };
  compared('command POST /users (register), concurrency 16', fig.register, true);
  compared('command PUT /users/{id}/name (rename), concurrency 16', fig.rename, true);
  compared('GET /users/{id}, concurrency 16', fig.getUser, false);
  compared('GET /users?name=<prefix> first page, concurrency 16', fig.listByPrefix, false);
  const rebuildTarget = SCALE_TARGETS.rebuildEventsPerSecond;
  rows.push({
    figure: `read-model rebuild of ${size} (events/s)`,
    ours: fmt(fig.rebuild.eventsPerSecond),
    baseline: '-',
    ratio: '-',
    target: `≥ ${rebuildTarget} ${fig.rebuild.eventsPerSecond >= rebuildTarget ? 'met' : 'NOT met'}`,
  });
  rows.push({
    figure: `relay catch-up of ${fig.relay.events} outbox rows (events/s)`,
    ours: fmt(fig.relay.eventsPerSecond),
    baseline: '-',
    ratio: '-',
    target: 'informational',
  });
  rows.push({
    figure: 'machine load average (1 min) before / after measuring the empty, then the full store',
    ours: `${fig.loadAverage.empty.join(' / ')}, then ${fig.loadAverage.full.join(' / ')}`,
    baseline: '-',
    ratio: '-',
    target: 'informational',
  });
  rows.push({
    figure:
      'InnoDB buffer pool (MiB); pages read from disk (server-wide) while measuring the empty / full store',
    ours: `${fig.bufferPool.sizeMiB} MiB; ${fig.bufferPool.diskReadsEmpty} / ${fig.bufferPool.diskReadsFull}`,
    baseline: '-',
    ratio: '-',
    target: 'informational',
  });
  for (const [table, bytes] of Object.entries(fig.bytesPerEvent)) {
    rows.push({
      figure: `bytes per event at rest at ${size}: ${table}`,
      ours: fmt(bytes),
      baseline: '-',
      ratio: '-',
      target: `informational (${fmt(fig.bytesPerRow[table]!)} B per row)`,
    });
  }
}

/** Cold-start guards: every function's bundle and module initialisation stay under these. */
const BUNDLE_LIMIT_KIB = 800;
const INIT_LIMIT_MS = 100;

async function bundleSizes(): Promise<void> {
  say('bundles and module initialisation');
  const figures = await bundles(plan.initTimes);
  const within = (value: number, limit: number) => `≤ ${limit} ${value <= limit ? 'met' : 'NOT met'}`;
  for (const [name, fig] of Object.entries(figures)) {
    (results.bundle_kib as Record<string, number>)[name] = fig.kib;
    (results.init_ms as Record<string, number>)[name] = fig.initMs;
    rows.push({
      figure: `bundle ${name} (KiB, zip KiB, init ms)`,
      ours: `${fig.kib} KiB, zip ${fig.zipKib}, ${fig.initMs} ms`,
      baseline: '-',
      ratio: '-',
      target: `${within(fig.kib, BUNDLE_LIMIT_KIB)} KiB, ${within(fig.initMs, INIT_LIMIT_MS)} ms; largest: ${fig.largest
        .slice(0, 3)
        .map((l) => `${l.input} ${l.kib}`)
        .join(', ')}`,
    });
  }
  const all = Object.values(figures);
  const maxKib = Math.max(...all.map((f) => f.kib));
  const maxInitMs = Math.max(...all.map((f) => f.initMs));
  results.cold_start = {
    max_bundle_kib: maxKib,
    max_init_ms: maxInitMs,
    bundle_limit_kib: BUNDLE_LIMIT_KIB,
    init_limit_ms: INIT_LIMIT_MS,
    met: maxKib <= BUNDLE_LIMIT_KIB && maxInitMs <= INIT_LIMIT_MS,
  };
  rows.push({
    figure: 'cold-start guard: largest bundle (KiB), slowest module init (ms)',
    ours: `${maxKib} KiB, ${maxInitMs} ms`,
    baseline: '-',
    ratio: '-',
    target: `${within(maxKib, BUNDLE_LIMIT_KIB)} KiB, ${within(maxInitMs, INIT_LIMIT_MS)} ms`,
  });
  detail.bundles = figures;
}

function printTable(): void {
  const cols: Array<keyof Row> = ['figure', 'ours', 'baseline', 'ratio', 'target'];
  const width = (c: keyof Row) => Math.max(c.length, ...rows.map((r) => r[c].length));
  const line = (r: Row) => `| ${cols.map((c) => r[c].padEnd(width(c))).join(' | ')} |`;
  console.log(
    line({ figure: 'figure', ours: 'ours', baseline: 'baseline', ratio: 'ratio', target: 'target' }),
  );
  console.log(`|${cols.map((c) => '-'.repeat(width(c) + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

/**
 * A partial run (`--only`) replaces only the figures it measured: the others, and the description
 * of the run they come from, stay as the file has them; this run is described under
 * `partial_runs`, by its parts.
 */
function mergedInto(file: string, out: Record<string, unknown>): Record<string, unknown> {
  let previous: Record<string, unknown>;
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return out;
  }
  const { run, detail: measured, ...figures } = out;
  const partialRuns = (previous.partial_runs ?? {}) as Record<string, unknown>;
  // A group of figures (ratios, command_per_s, …) keeps the members this run did not measure.
  const merged = Object.entries(figures)
    .filter(([, v]) => !isEmpty(v))
    .map(([k, v]) => [k, isGroup(v) && isGroup(previous[k]) ? { ...previous[k], ...v } : v]);
  return {
    ...previous,
    ...Object.fromEntries(merged),
    detail: { ...(previous.detail as object), ...(measured as object) },
    partial_runs: { ...partialRuns, [(only ?? []).join(',')]: run },
  };
}

const isGroup = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isEmpty = (value: unknown) =>
  typeof value === 'object' && value !== null && Object.keys(value).length === 0;

async function main(): Promise<void> {
  const started = Date.now();
  const loadAverageAtStart = os.loadavg().map((l) => round(l));
  say(
    `${smoke ? 'smoke' : 'full'} run; databases ${benchEnv.COMMANDS_DB}/${benchEnv.QUERIES_DB}, topic ${benchEnv.KAFKA_TOPIC}`,
  );
  const stack = await acquireStack('npm run bench');
  await setUp();
  try {
    if (scaleMode) await scaleRun();
    else {
      if (wants('commands')) await commandsVsRaw();
      if (wants('emmett')) await versusEmmett();
      if (wants('projection')) await projectionVsBulk();
      if (wants('tracing')) await tracingCost();
      if (wants('personal-data')) await personalDataCost();
      if (wants('producer')) await producerVsKafka();
      if (wants('freshness') || wants('http')) await throughOfflineRuns();
      if (wants('freshness')) await freshnessInProcess();
      if (wants('footprint')) await footprintAtRest();
      if (wants('bundles')) await bundleSizes();
    }
  } finally {
    await commandsOwnTopic.close();
    await closeCommandDeps();
    await closePools();
    await tearDown().catch((error: unknown) => say(`tear-down failed: ${(error as Error).message}`));
    await stack.release();
  }
  printTable();
  const file = path.join(ROOT, 'bench', 'results', smoke ? 'smoke.tmp.json' : 'latest.json');
  // The scale run and the others each replace only their own figures in the file.
  const previous = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
    : {};
  const { scale: previousScale, scale_run: previousScaleRun, ...previousOthers } = previous;
  const runInfo = {
    mode: smoke ? 'smoke' : 'full',
    parts: scaleMode ? 'scale' : (only ?? 'all'),
    at: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      loadAverageAtStart,
      loadAverageAtEnd: os.loadavg().map((l) => round(l)),
    },
    plan: scaleMode ? { rounds: plan.rounds, roundMs: plan.roundMs, scaleEvents } : plan,
  };
  const out = scaleMode
    ? { ...previousOthers, scale: results.scale, scale_run: runInfo }
    : { ...results, run: runInfo, detail, scale: previousScale, scale_run: previousScaleRun };
  writeFileSync(
    file,
    await format(JSON.stringify(only && !scaleMode ? mergedInto(file, out) : out), { parser: 'json' }),
  );
  say(`wrote ${path.relative(ROOT, file)} in ${Math.round((Date.now() - started) / 1000)} s`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
