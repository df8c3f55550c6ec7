import type { KafkaConfig } from '../config.js';

/** SASL/OAUTHBEARER: `token` gives a fresh token whenever the client (re)authenticates. */
export interface SaslOptions {
  mechanism: 'oauthbearer';
  token: () => Promise<string>;
}

export interface BrokerConnection {
  brokers: string[];
  ssl: boolean;
  sasl: SaslOptions | undefined;
}

let discovered: Promise<string[]> | undefined;

/**
 * Where to connect: locally the plain broker list from the environment; in AWS the IAM
 * bootstrap brokers of the MSK cluster (GetBootstrapBrokers, looked up once per container)
 * with SASL/OAUTHBEARER tokens signed by the function's role.
 */
export async function resolveBrokers(cfg: KafkaConfig): Promise<BrokerConnection> {
  if (!cfg.mskClusterArn) return { brokers: cfg.brokers, ssl: false, sasl: undefined };
  const arn = cfg.mskClusterArn;
  const region = cfg.region ?? arn.split(':')[3];
  if (!region) throw new Error(`Cannot tell the AWS region of MSK cluster ${arn}; set AWS_REGION.`);
  discovered ??= discoverMskBrokers(arn, region).catch((error: unknown) => {
    discovered = undefined;
    throw error;
  });
  return {
    brokers: await discovered,
    ssl: true,
    sasl: {
      mechanism: 'oauthbearer',
      token: async () => {
        const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
        const { token } = await generateAuthToken({ region });
        return token;
      },
    },
  };
}

async function discoverMskBrokers(clusterArn: string, region: string): Promise<string[]> {
  const { KafkaClient, GetBootstrapBrokersCommand } = await import('@aws-sdk/client-kafka');
  const client = new KafkaClient({ region });
  const out = await client.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
  const list = out.BootstrapBrokerStringSaslIam;
  if (!list)
    throw new Error(`MSK cluster ${clusterArn} has no IAM bootstrap brokers; enable IAM client auth.`);
  return list.split(',');
}
