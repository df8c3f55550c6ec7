// @ts-check
/**
 * Ends `sls offline` when the process that started it is gone (CQRS_LIFELINE, set by
 * `npm start` and the test helpers): SIGINT first, so serverless-offline and the Kafka event
 * source shut down as they do on Ctrl-C, and a hard exit if that has not finished in 8 s.
 * Without the variable it does nothing.
 */
import { lifelineFrom, whenAnyExits } from '../infra/lifeline.js';

export default class Lifeline {
  /** @param {any} _serverless @param {unknown} _options @param {{ log?: any }} [utils] */
  constructor(_serverless, _options, utils) {
    const parent = lifelineFrom(process.env);
    this.hooks = {};
    if (!parent) return;
    whenAnyExits([parent], () => {
      utils?.log?.warning?.(`The process that started sls offline (pid ${parent.pid}) is gone: stopping.`);
      process.kill(process.pid, 'SIGINT');
      setTimeout(() => process.exit(1), 8000).unref();
    });
  }
}
