import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, openSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createAdmin } from '../../lib/kafka/client.js';
import type { KafkaConfig } from '../../lib/config.js';
import { paths } from '../paths.js';
import { livePid, portOpen, sleep, stopProcess, writePidFile } from '../processes.js';
import { InfraError, progress } from '../progress.js';
import { requireJava } from '../prerequisites.js';

/**
 * Marks our broker's command line, so a stale pid file never makes us signal someone else's
 * process: the main class followed by this state folder's properties file, so another
 * project's broker, or a second stack of ours with another CQRS_STATE_DIR, never matches.
 */
const MARKER = `kafka.Kafka ${paths.kafkaProperties}`;

export interface BrokerSettings {
  host: string;
  port: number;
  controllerPort: number;
}

export function brokerSettings(env = process.env): BrokerSettings {
  const port = Number(env.KAFKA_PORT ?? 9092);
  return { host: '127.0.0.1', port, controllerPort: Number(env.KAFKA_CONTROLLER_PORT ?? port + 1) };
}

function serverProperties(s: BrokerSettings, partitions: number): string {
  return [
    '# Written by infra/kafka/broker.ts; edits are overwritten on the next start.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=${s.host}:${s.controllerPort}`,
    `listeners=PLAINTEXT://${s.host}:${s.port},CONTROLLER://${s.host}:${s.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${s.host}:${s.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${paths.kafkaData}`,
    `num.partitions=${partitions}`,
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

const LOG4J = [
  'rootLogger.level=INFO',
  'rootLogger.appenderRef.stdout.ref=STDOUT',
  'appender.stdout.type=Console',
  'appender.stdout.name=STDOUT',
  'appender.stdout.layout.type=PatternLayout',
  'appender.stdout.layout.pattern=[%d] %p %m (%c)%n',
  'logger.kafka.name=kafka',
  'logger.kafka.level=INFO',
  'logger.state.name=state.change.logger',
  'logger.state.level=WARN',
  '',
].join('\n');

function java(args: string[], logFile?: string) {
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  return spawn('java', ['-cp', `${paths.kafkaLib}/*`, ...args], {
    stdio: ['ignore', out, out],
    detached: Boolean(logFile),
  });
}

/** Checks the KRaft state folder; formats it when new, recreates it (saying so) when half-written. */
async function ensureFormatted(): Promise<void> {
  const meta = `${paths.kafkaData}/meta.properties`;
  if (existsSync(paths.kafkaData)) {
    const text = await readFile(meta, 'utf8').catch(() => '');
    if (/^cluster\.id=\S+/m.test(text) && /^node\.id=1$/m.test(text)) return;
    const entries = await readdir(paths.kafkaData);
    progress.warn(
      `The broker state folder ${paths.kafkaData} is incomplete or corrupt ` +
        `(${entries.length ? 'no valid meta.properties' : 'empty'}): recreating it. Its messages are lost.`,
    );
    await rm(paths.kafkaData, { recursive: true, force: true });
  }
  progress.step('Formatting the broker storage (KRaft, single node)…');
  const code = await new Promise<number>((resolve) => {
    java(
      [
        'kafka.tools.StorageTool',
        'format',
        '--standalone',
        '-t',
        randomUUID().replace(/-/g, '').slice(0, 22),
        '-c',
        paths.kafkaProperties,
      ],
      paths.kafkaLogFile,
    ).on('close', (status) => resolve(status ?? 1));
  });
  if (code !== 0) {
    await rm(paths.kafkaData, { recursive: true, force: true });
    throw new InfraError(
      `Formatting the broker storage failed (see ${paths.kafkaLogFile}).`,
      `Run \`npm run infra:down\`, delete ${paths.kafkaData}, then \`npm run infra:up\`.`,
    );
  }
}

/** Resolves once the broker answers a metadata request. */
export async function brokerAnswers(cfg: KafkaConfig): Promise<boolean> {
  const admin = await createAdmin(cfg, { quiet: true });
  try {
    await admin.connect();
    await admin.ping();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function logTail(lines = 15): Promise<string> {
  const text = await readFile(paths.kafkaLogFile, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}

/** Starts the single-node broker unless ours already runs; waits until it serves metadata. */
export async function startBroker(cfg: KafkaConfig, settings = brokerSettings()): Promise<void> {
  const running = await livePid(paths.kafkaPidFile, MARKER);
  if (running && (await brokerAnswers(cfg))) {
    progress.ok(`Kafka broker already running (pid ${running}) on ${settings.host}:${settings.port}`);
    return;
  }
  if (running) await stopProcess(running, paths.kafkaPidFile, 10000);
  for (const port of [settings.port, settings.controllerPort]) {
    if (await portOpen(port)) {
      throw new InfraError(
        `Port ${port} is already in use by a process that is not this project's broker.`,
        `Stop that process (\`ss -ltnp 'sport = :${port}'\` shows it) or choose other ports with KAFKA_PORT / KAFKA_CONTROLLER_PORT.`,
      );
    }
  }
  await requireJava();
  await mkdir(paths.kafkaHome, { recursive: true });
  await writeFile(paths.kafkaProperties, serverProperties(settings, cfg.partitions));
  await writeFile(paths.kafkaLog4j, LOG4J);
  await ensureFormatted();

  progress.step(`Starting the Kafka broker on ${settings.host}:${settings.port}…`);
  const logStart = (await readFile(paths.kafkaLogFile, 'utf8').catch(() => '')).length;
  const child = java(
    [
      '-Xms256m',
      '-Xmx1g',
      '-XX:+UseG1GC',
      `-Dlog4j2.configurationFile=${paths.kafkaLog4j}`,
      'kafka.Kafka',
      paths.kafkaProperties,
    ],
    paths.kafkaLogFile,
  );
  child.unref();
  if (!child.pid)
    throw new InfraError('The broker process did not start.', 'Check that `java -version` works.');
  await writePidFile(paths.kafkaPidFile, child.pid);

  const deadline = Date.now() + 120000;
  let started = false;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || !(await livePid(paths.kafkaPidFile, MARKER))) {
      throw new InfraError(
        `The Kafka broker exited during start-up. Last lines of ${paths.kafkaLogFile}:\n${await logTail()}`,
        `Fix what the log says; if the state folder is damaged, delete ${paths.kafkaData} and run \`npm run infra:up\`.`,
      );
    }
    const log = (await readFile(paths.kafkaLogFile, 'utf8')).slice(logStart);
    if (!started && log.includes('Kafka Server started')) {
      started = true;
      progress.step('Broker started; waiting for it to answer a metadata request…');
    }
    if (started && (await brokerAnswers(cfg))) {
      progress.ok(`Kafka broker up (pid ${child.pid}) on ${settings.host}:${settings.port}`);
      return;
    }
    await sleep(250);
  }
  throw new InfraError(
    `The Kafka broker did not become ready within 120 s. Last lines of ${paths.kafkaLogFile}:\n${await logTail()}`,
    'Run `npm run infra:down` and try again; see the log for the cause.',
  );
}

/** Stops our broker if it runs. Returns whether there was one. */
export async function stopBroker(): Promise<boolean> {
  const pid = await livePid(paths.kafkaPidFile, MARKER);
  if (!pid) {
    await rm(paths.kafkaPidFile, { force: true });
    return false;
  }
  progress.step(`Stopping the Kafka broker (pid ${pid})…`);
  await stopProcess(pid, paths.kafkaPidFile);
  progress.ok('Kafka broker stopped');
  return true;
}

export async function brokerPid(): Promise<number | undefined> {
  return livePid(paths.kafkaPidFile, MARKER);
}
