/**
 * The set-up most scenarios share, registered as jest hooks: the running `sls offline`, the
 * oracle, and (for scenarios whose commands may leave events in the outbox) a relay process.
 */
import { Oracle } from './oracle.js';
import { ensureOffline, startRelay, type Offline, type RelayProcess } from './processes.js';

export interface Scenario {
  oracle: Oracle;
  /** Set once the scenario's beforeAll ran. */
  offline: Offline;
  relay?: RelayProcess;
}

export function useScenario(options: { relay?: string } = {}): Scenario {
  const scenario = { oracle: new Oracle() } as Scenario;
  beforeAll(async () => {
    scenario.offline = await ensureOffline();
    if (options.relay) scenario.relay = startRelay(options.relay);
  });
  afterAll(async () => {
    await scenario.relay?.stop();
    await scenario.oracle.close();
  });
  return scenario;
}
