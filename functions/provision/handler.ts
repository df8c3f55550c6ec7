/**
 * The provisioning function, invoked once per deploy by `npm run deploy` (never over HTTP):
 * database migrations, database users from their secrets, and the Kafka topic.
 */
import { provision, type ProvisionSummary } from '../../infra/aws/provision.js';
import { log } from '../../lib/log.js';

export const handler = async (): Promise<ProvisionSummary> => {
  const summary = await provision();
  log.info('provisioned', { ...summary });
  return summary;
};
