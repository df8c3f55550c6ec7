import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ServerlessOfflineKafka from '../../../plugins/serverless-offline-kafka/index.js';

const require = createRequire(import.meta.url);
/** The Framework's own schema handler, which validates serverless.yml before any plugin hook runs. */
const ConfigSchemaHandler = require('serverless/lib/classes/config-schema-handler/index.js') as new (
  serverless: unknown,
) => { validateConfig(config: unknown): Promise<void> };

/** The schema cache of the validator goes to a folder of the test's own. */
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'offline-kafka-schema-'));
const previousCacheDir = process.env.SLS_SCHEMA_CACHE_BASE_DIR;
beforeAll(() => void (process.env.SLS_SCHEMA_CACHE_BASE_DIR = cacheDir));
afterAll(() => {
  if (previousCacheDir === undefined) delete process.env.SLS_SCHEMA_CACHE_BASE_DIR;
  else process.env.SLS_SCHEMA_CACHE_BASE_DIR = previousCacheDir;
  rmSync(cacheDir, { recursive: true, force: true });
});

/** Validates a configuration whose custom.offline-kafka is `settings`, with the plugin loaded. */
async function validate(settings: unknown): Promise<void> {
  const configuration = { service: 'svc', provider: { name: 'aws' }, custom: { 'offline-kafka': settings } };
  const serverless: Record<string, unknown> = {
    configurationInput: configuration,
    service: { provider: { name: 'aws' }, configValidationMode: 'error' },
  };
  serverless.configSchemaHandler = new ConfigSchemaHandler(serverless);
  new ServerlessOfflineKafka(serverless, {});
  await (serverless.configSchemaHandler as InstanceType<typeof ConfigSchemaHandler>).validateConfig(
    configuration,
  );
}

describe('offline Kafka settings schema', () => {
  it('given a misspelt setting, the Framework refuses the configuration at start-up, naming it', async () => {
    await expect(validate({ broker: '127.0.0.1:9092' })).rejects.toThrow(
      /at 'custom\.offline-kafka': unrecognized property 'broker'/,
    );
  });

  it('given the removed maximumRetryAttempts setting, it is refused (the template is the one source)', async () => {
    await expect(validate({ maximumRetryAttempts: 3 })).rejects.toThrow(
      /unrecognized property 'maximumRetryAttempts'/,
    );
  });

  it('given the known settings, it is accepted: brokers as a list or comma-separated, stateDir', async () => {
    await expect(
      validate({ brokers: '127.0.0.1:9092,127.0.0.1:9093', stateDir: '.local' }),
    ).resolves.toBeUndefined();
    await expect(validate({ brokers: ['127.0.0.1:9092'] })).resolves.toBeUndefined();
    await expect(validate({})).resolves.toBeUndefined();
  });

  it('given a setting of the wrong type, it is refused', async () => {
    await expect(validate({ stateDir: { path: 'x' } })).rejects.toThrow(/stateDir/);
  });

  it('without a schema handler (an older Framework), the plugin still loads', () => {
    expect(() => new ServerlessOfflineKafka({ service: {} }, {})).not.toThrow();
  });
});
