/**
 * `npm run deploy`: deploys a stage to AWS (`sls deploy`), then runs the provisioning function
 * once (migrations, database users, Kafka topic) and fails if it failed. Options: --stage (default
 * prod), --region (default the one in serverless.yml). Needs AWS credentials in the environment.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../infra/paths.js';

const { values } = parseArgs({
  options: { stage: { type: 'string', default: 'prod' }, region: { type: 'string' } },
});
const target = ['--stage', values.stage!, ...(values.region ? ['--region', values.region] : [])];
const sls = path.join(ROOT, 'node_modules', '.bin', 'sls');

function run(args: string[]): void {
  console.log(`\n$ sls ${args.join(' ')}`);
  const result = spawnSync(sls, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`sls ${args[0]} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

run(['deploy', ...target]);
run(['invoke', '--function', 'provision', ...target]);
run(['info', ...target]);
