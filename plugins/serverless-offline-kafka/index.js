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
import { KafkaEventSource } from './event-source.js';
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

export default class ServerlessOfflineKafka {
  /** @type {KafkaEventSource[]} */
  #sources = [];
  /** @type {any} */
  #lambda;
  /** @type {Promise<void> | undefined} */
  #stopping;

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
    this.#lambda.create(
      [...new Set(sources.map((s) => s.functionKey))].map((functionKey) => ({
        functionKey,
        functionDefinition: service.getFunction(functionKey),
      })),
    );
    const kafka = kafkaClient({ brokers, clientId: 'serverless-offline-kafka-event-source' });
    this.log.notice(`offline-kafka: brokers ${brokers.join(',')}`);
    for (const source of sources) {
      const eventSource = new KafkaEventSource({
        source,
        kafka,
        bootstrapServers: brokers.join(','),
        invoke: (functionKey, event) => this.#invoke(functionKey, event),
        log: this.log,
        onFailureDir: onFailureDir(this.settings, this.serverless.serviceDir ?? process.cwd()),
      });
      this.#sources.push(eventSource);
      this.log.notice(
        `offline-kafka: ${eventSource.label}: ${describePolicy(source.policy, { file: eventSource.onFailureFile })}`,
      );
      void eventSource.start();
    }
    const stopOnSignal = () => void this.stop();
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
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
