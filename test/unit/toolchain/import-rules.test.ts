/**
 * The import rules of eslint.config.js fire where they should and nowhere else. Each probe lints
 * virtual content for a path in the repository (ESLint's lintText), so no source file is written;
 * the imported modules are real, because import-x resolves an import before it judges it.
 *
 * The aggregate zones are probed with the real slices: aggregates/users and the orders fixture.
 */
import { ESLint, type Linter } from 'eslint';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../../infra/paths.js';

/** A product slice (decider.js stands for any of its files but index.ts) and a test-only one. */
const SLICE = 'aggregates/users';
const FIXTURE_SLICE = 'test/fixtures/aggregates/orders';

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

async function lint(file: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  const messages = result!.messages;
  expect(messages.filter((message) => message.fatal)).toEqual([]);
  return messages;
}

const ruleIds = async (file: string, code: string) => (await lint(file, code)).map((m) => m.ruleId);
const zone = 'import-x/no-restricted-paths';
/** The zone messages of importing `specifier` from `file`. */
const zoneMessages = async (file: string, specifier: string) =>
  (await lint(file, `import '${specifier}';\n`))
    .filter((message) => message.ruleId === zone)
    .map((message) => message.message);

describe('import cycles', () => {
  // lib/http/response.ts imports lib/http/status.ts.
  it('an import cycle fails lint', async () => {
    const code = "import { json } from './response.js';\nexport const probe = json;\n";
    expect(await ruleIds('lib/http/status.ts', code)).toContain('import-x/no-cycle');
  });

  // lib/http/middleware.ts imports requireCaller from lib/http/auth.ts: the cycle once closed by HttpEvent.
  it('an import cycle closed by a type-only import fails lint', async () => {
    const code = "import type { HttpHandler } from './middleware.js';\nexport type Probe = HttpHandler;\n";
    const messages = await lint('lib/http/auth.ts', code);
    expect(messages.map((m) => m.ruleId)).toEqual(['local/no-cycle-through-types']);
    expect(messages[0]!.message).toContain('lib/http/auth.ts → lib/http/middleware.ts → lib/http/auth.ts');
  });

  it('a cycle of value imports is reported once, by import-x/no-cycle', async () => {
    const code = "import { httpFunction } from './middleware.js';\nexport const probe = httpFunction;\n";
    expect(await ruleIds('lib/http/auth.ts', code)).toEqual(['import-x/no-cycle']);
  });

  it('imports without a cycle pass lint', async () => {
    const code = "import { ERROR_CODES } from '../errors.js';\nexport const probe = ERROR_CODES;\n";
    expect(await ruleIds('lib/http/status.ts', code)).toEqual([]);
    for (const file of [
      'lib/http/status.ts',
      'lib/http/response.ts',
      'lib/http/auth.ts',
      'lib/http/middleware.ts',
    ]) {
      expect(await ruleIds(file, readFileSync(path.join(ROOT, file), 'utf8'))).toEqual([]);
    }
  });
});

describe('lib/ is machinery', () => {
  it.each([
    '../functions/query/handler.js',
    '../infra/paths.js',
    '../scripts/progress-bar.js',
    '../bench/bundles.js',
    '../test/support/setup-env.js',
    '../plugins/serverless-offline-kafka/policy.js',
    '../aggregates/index.js',
  ])('lib importing %s fails lint', async (specifier) => {
    expect(await zoneMessages('lib/lint-probe.ts', specifier)).toEqual([
      expect.stringContaining('lib/ is machinery'),
    ]);
  });

  it('lib importing lib and node_modules passes lint', async () => {
    for (const specifier of ['./errors.js', './http/status.js', 'zod', 'node:path']) {
      expect(await zoneMessages('lib/lint-probe.ts', specifier)).toEqual([]);
    }
  });
});

describe('infra/mariadb and infra/kafka', () => {
  it.each(['infra/mariadb', 'infra/kafka'])(
    '%s importing functions/ or aggregates/ fails lint',
    async (dir) => {
      for (const specifier of ['../../functions/query/handler.js', '../../aggregates/index.js']) {
        expect(await zoneMessages(`${dir}/lint-probe.ts`, specifier)).toEqual([
          expect.stringContaining('infra/mariadb and infra/kafka import nothing'),
        ]);
      }
    },
  );

  it('the rest of infra/ may import functions/', async () => {
    expect(await zoneMessages('infra/lint-probe.ts', '../functions/query/handler.js')).toEqual([]);
  });
});

describe('plugins/serverless-offline-kafka', () => {
  const file = 'plugins/serverless-offline-kafka/lint-probe.js';

  it.each(['../../lib/log.js', '../lifeline.js', '../../infra/paths.js'])(
    'the Kafka plugin importing %s fails lint',
    async (specifier) => {
      expect(await zoneMessages(file, specifier)).toEqual([expect.stringContaining('standalone package')]);
    },
  );

  it('the Kafka plugin importing its own files and node_modules passes lint', async () => {
    for (const specifier of ['./policy.js', 'kafkajs', 'node:events']) {
      expect(await zoneMessages(file, specifier)).toEqual([]);
    }
  });
});

describe('aggregate slices', () => {
  it.each(['functions', 'infra', 'scripts', 'bench'])(
    "machinery importing an aggregate's folder fails lint (%s/)",
    async (dir) => {
      expect(await zoneMessages(`${dir}/lint-probe.ts`, `../${SLICE}/decider.js`)).toEqual([
        expect.stringContaining('through the registry'),
      ]);
      expect(await zoneMessages(`${dir}/lint-probe.ts`, `../${SLICE}/index.js`)).toEqual([
        expect.stringContaining('through the registry'),
      ]);
    },
  );

  it.each(['functions', 'infra', 'scripts', 'bench'])(
    'machinery importing the aggregate registry passes lint (%s/)',
    async (dir) => {
      expect(await zoneMessages(`${dir}/lint-probe.ts`, '../aggregates/index.js')).toEqual([]);
    },
  );

  it('a slice importing another slice fails lint', async () => {
    expect(await zoneMessages(`${SLICE}/lint-probe.ts`, `../../${FIXTURE_SLICE}/index.js`)).toEqual([
      expect.stringContaining(`An aggregate slice (${SLICE}/)`),
    ]);
    expect(await zoneMessages(`${FIXTURE_SLICE}/lint-probe.ts`, `../../../../${SLICE}/decider.js`)).toEqual([
      expect.stringContaining(`An aggregate slice (${FIXTURE_SLICE}/)`),
    ]);
  });

  it('a slice importing functions/ fails lint', async () => {
    for (const file of [`${SLICE}/lint-probe.ts`, `${FIXTURE_SLICE}/lint-probe.ts`]) {
      const up = '../'.repeat(file.split('/').length - 1);
      expect(await zoneMessages(file, `${up}functions/query/handler.js`)).toEqual([
        expect.stringContaining('imports neither another slice nor functions/'),
      ]);
    }
  });

  it('a slice importing its own files and lib/ passes lint', async () => {
    expect(await zoneMessages(`${SLICE}/lint-probe.ts`, './decider.js')).toEqual([]);
    expect(await zoneMessages(`${SLICE}/lint-probe.ts`, '../../lib/errors.js')).toEqual([]);
  });
});
