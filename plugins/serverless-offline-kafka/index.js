// @ts-check
/**
 * serverless-offline-kafka-event-source: runs the `msk` and `kafka` event sources of a service
 * against a local Kafka broker while `sls offline start` runs, with the batching, retries, record
 * age, bisection and on-failure destination of the event source mapping the template deploys.
 * List it before serverless-offline in `plugins`. Settings (custom.offline-kafka) are in
 * config.js's SETTINGS_SCHEMA and the README.
 */
import { kafkaClient } from './client.js';
import { SETTINGS_SCHEMA, onFailureDir, readBrokers, readSources } from './config.js';
import { functionEnvironments } from './environments.js';
import { KafkaEventSource } from './event-source.js';
import { buildKafkaEvent } from './kafka-event.js';
import { describePolicy } from './policy.js';

/** Options serverless-offline's Lambda runner reads, with its own defaults. */
const LAMBDA_DEFAULTS = {
  localEnvironment: false,
  noTimeout: false,
  reloadHandler: false,
  terminateIdleLambdaTime: 60,
  useDocker: false,
  useInProcess: false,
};

/** @typedef {import('./config.js').SourceDefinition} SourceDefinition */
/** @typedef {ReturnType<typeof functionEnvironments>} FunctionEnvironments */
/** @typedef {{ environments: FunctionEnvironments, partitions: number, empty: unknown }} WarmEnvironments a function's environments and what they start with */

/**
 * The partitions of the mappings' topics together; a topic the broker does not describe at once
 * counts as one.
 * @param {SourceDefinition[]} sources
 * @param {import('./client.js').KafkaClient} kafka
 */
async function partitionsOf(sources, kafka) {
  const counts = await Promise.all(sources.map((s) => kafka.partitionCount(s.topic)));
  return counts.reduce((/** @type {number} */ sum, n) => sum + (n ?? 1), 0);
}

export default class ServerlessOfflineKafka {
  /** @type {KafkaEventSource[]} */
  #sources = [];
  /** @type {Map<string, WarmEnvironments>} */
  #environments = new Map();
  /** @type {any} */
  #lambda;
  /** @type {Promise<void> | undefined} */
  #stopping;
  /** @type {Promise<void>} the restart after the last rebuild */
  #reloading = Promise.resolve();

  /**
   * @param {any} serverless
   * @param {Record<string, unknown>} cliOptions
   * @param {{ log: any }} [utils]
   */
  constructor(serverless, cliOptions, utils) {
    this.serverless = serverless;
    this.cliOptions = cliOptions;
    const log = utils?.log;
    this.log = {
      notice: (/** @type {string} */ m) => (log ? log.notice(m) : console.log(m)),
      warning: (/** @type {string} */ m) => (log ? log.warning(m) : console.warn(m)),
      error: (/** @type {string} */ m) => (log ? log.error(m) : console.error(m)),
    };
    // A misspelt setting fails at start-up instead of being ignored.
    serverless.configSchemaHandler?.defineCustomProperties({
      properties: { 'offline-kafka': SETTINGS_SCHEMA },
    });
    this.hooks = {
      // `sls offline start` runs init/ready/end and awaits the end hooks, so consumers leave their
      // group cleanly; bare `sls offline` runs only `offline:start` and exits right after SIGINT.
      'before:offline:start': () => this.start(),
      'before:offline:start:init': () => this.start(),
      'before:offline:start:end': () => this.stop(),
      // serverless-esbuild rebuilt the functions after a source change (custom.esbuild.watch).
      'offline:functionsUpdated:cleanup': () => this.reload(),
    };
  }

  get settings() {
    return this.serverless.service.custom?.['offline-kafka'] ?? {};
  }

  async start() {
    if (this.#lambda) return;
    const service = this.serverless.service;
    const { sources: all, warnings } = readSources(service, {
      naming: this.serverless.getProvider('aws').naming,
    });
    for (const warning of warnings) this.log.warning(warning);
    const sources = all.filter((s) => s.enabled);
    if (!sources.length) return;
    const brokers = readBrokers(this.settings);
    const { default: Lambda } = await import('serverless-offline/lambda');
    const offlineOptions = {
      ...LAMBDA_DEFAULTS,
      ...(service.custom?.['serverless-offline'] ?? {}),
      ...this.cliOptions,
      // A reloading runner starts a worker per invocation and never cleans it up.
      reloadHandler: false,
    };
    this.#lambda = new Lambda(this.serverless, offlineOptions);
    const functionKeys = [...new Set(sources.map((s) => s.functionKey))];
    this.#lambda.create(
      functionKeys.map((functionKey) => ({
        functionKey,
        functionDefinition: service.getFunction(functionKey),
      })),
    );
    const kafka = kafkaClient({ brokers, clientId: 'serverless-offline-kafka-event-source' });
    const bootstrapServers = brokers.join(',');
    this.log.notice(`offline-kafka: brokers ${bootstrapServers}`);
    const mappings = functionKeys.map((functionKey) => sources.filter((s) => s.functionKey === functionKey));
    const partitions = await Promise.all(mappings.map((own) => partitionsOf(own, kafka)));
    // Warming takes its environments at once, so the consumers, joining their groups meanwhile,
    // deliver their first records only to warm ones.
    const warming = mappings.map((own, i) => {
      const [{ functionKey, eventSource, eventSourceArn }] = /** @type {[SourceDefinition]} */ (own);
      const empty = buildKafkaEvent({ eventSource, eventSourceArn, bootstrapServers }, []);
      return this.#warm(functionKey, /** @type {number} */ (partitions[i]), empty);
    });
    for (const source of sources) {
      const eventSource = new KafkaEventSource({
        source,
        kafka,
        bootstrapServers,
        invoke: (functionKey, event) => this.#run(functionKey, event),
        log: this.log,
        onFailureDir: onFailureDir(this.settings, this.serverless.serviceDir ?? process.cwd()),
      });
      this.#sources.push(eventSource);
      this.log.notice(
        `offline-kafka: ${eventSource.label}: ${describePolicy(source.policy, { file: eventSource.onFailureFile })}`,
      );
      void eventSource.start();
    }
    await Promise.all(warming);
    const stopOnSignal = () => void this.stop();
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
  }

  /**
   * Starts as many environments of the function as its mappings can invoke at once (one per
   * partition of their topics, at most its reserved concurrency), each with an empty batch of the
   * event its first mapping sends, before `sls offline` serves anything (environments.js).
   *
   * @param {string} functionKey
   * @param {number} partitions  of the topics of its mappings
   * @param {unknown} empty  the event of its first mapping, with no records
   */
  async #warm(functionKey, partitions, empty) {
    const reserved = Number(this.serverless.service.getFunction(functionKey).reservedConcurrency);
    const environments = functionEnvironments({
      limit: Number.isInteger(reserved) && reserved > 0 ? reserved : Infinity,
      invoke: (event) => this.#invoke(functionKey, event),
    });
    const warm = { environments, partitions, empty };
    this.#environments.set(functionKey, warm);
    await this.#start(functionKey, warm, 'started');
  }

  /**
   * @param {string} functionKey
   * @param {WarmEnvironments} warm
   * @param {string} what  for the log line
   */
  async #start(functionKey, { environments, partitions, empty }, what) {
    const { started, failures } = await environments.warm(partitions, empty);
    this.log.notice(`offline-kafka: ${functionKey}: ${started} environment(s) ${what}`);
    for (const failure of failures)
      this.log.warning(
        `offline-kafka: ${functionKey}: an environment answered its start-up batch with an error ` +
          `(${/** @type {Error} */ (failure)?.message ?? String(failure)}); it stays in use`,
      );
  }

  /**
   * One invocation of the function, once it has a free environment.
   * @param {string} functionKey
   * @param {unknown} event
   */
  #run(functionKey, event) {
    const { environments } = /** @type {WarmEnvironments} */ (this.#environments.get(functionKey));
    return environments.run(event);
  }

  /**
   * @param {string} functionKey
   * @param {unknown} event
   */
  async #invoke(functionKey, event) {
    const fn = this.#lambda.get(functionKey);
    fn.setEvent(event);
    return fn.runHandler();
  }

  /**
   * After a rebuild: lets the running batches finish, holding the next ones back, ends every
   * environment, so that the next invocation loads the rebuilt handler, and starts them anew.
   * serverless-offline does the same for its HTTP functions, without waiting for the running ones.
   */
  reload() {
    // One rebuild after another: saving twice in a row must not end environments a restart is using.
    this.#reloading = this.#reloading
      .then(() => this.#reloadNow())
      .catch((error) =>
        this.log.warning(
          `offline-kafka: restarting the environments after a rebuild failed ` +
            `(${/** @type {Error} */ (error)?.message ?? String(error)}); restart sls offline to load the new code`,
        ),
      );
    return this.#reloading;
  }

  async #reloadNow() {
    const lambda = this.#lambda;
    if (!lambda || this.#stopping) return;
    const all = [...this.#environments];
    await Promise.all(all.map(([, { environments }]) => environments.pause()));
    try {
      await lambda.cleanup();
    } finally {
      for (const [, { environments }] of all) environments.resume();
    }
    await Promise.all(
      all.map(([functionKey, warm]) => this.#start(functionKey, warm, 'restarted with the rebuilt code')),
    );
  }

  /** Disconnects every consumer and cleans up the handlers; later calls share the first one's promise. */
  stop() {
    this.#stopping ??= (async () => {
      const sources = this.#sources;
      this.#sources = [];
      await Promise.all(sources.map((s) => s.stop()));
      await this.#lambda?.cleanup();
      this.#lambda = undefined;
    })();
    return this.#stopping;
  }
}
