/** Local runs use the Node the functions deploy on: the major of serverless.yml's runtime. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../../infra/paths.js';

const serverlessYml = readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8');

describe('one Node everywhere', () => {
  it('the tests run on the Node major of the deployed Lambda runtime', () => {
    const runtime = /^\s+runtime:\s*nodejs(\d+)\.x\s*$/m.exec(serverlessYml)?.[1];
    expect(runtime).toBeDefined();
    expect(process.versions.node.split('.')[0]).toBe(runtime);
  });

  it('the bundles target the same Node as the runtime', () => {
    const runtime = /^\s+runtime:\s*nodejs(\d+)\.x\s*$/m.exec(serverlessYml)?.[1];
    expect(/^\s+target:\s*node(\d+)\s*$/m.exec(serverlessYml)?.[1]).toBe(runtime);
  });
});
