/**
 * Database credentials kept in AWS Secrets Manager. A role whose `<ROLE>_DB_SECRET_ARN` is set
 * connects with the user and password of that secret. Each secret is fetched once per container,
 * while this module initialises (the cold start), and kept in memory; without any secret ARN
 * nothing is fetched and the AWS SDK is never loaded, so local runs are unchanged.
 *
 * Only `username` and `password` are taken from a secret: the host stays the one configured
 * (the RDS Proxy endpoint in AWS), even when the secret also names the database instance.
 */
import { config, ConfigError, type DbConfig } from './config.js';

export interface DbSecret {
  username: string | undefined;
  password: string;
}

/** Fetches the secret string of one ARN. */
export type SecretFetcher = (arn: string) => Promise<string>;

const secrets = new Map<string, DbSecret>();

/** Parses a database secret (`{"username", "password", ...}`); errors never quote the secret. */
export function parseDbSecret(arn: string, text: string): DbSecret {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(`Secret ${arn} is not JSON; it must hold {"username", "password"}.`);
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof record.password !== 'string' || record.password === '') {
    throw new ConfigError(`Secret ${arn} has no "password" string.`);
  }
  if (record.username !== undefined && typeof record.username !== 'string') {
    throw new ConfigError(`Secret ${arn} has a "username" that is not a string.`);
  }
  return { username: record.username, password: record.password };
}

async function fetchFromSecretsManager(arn: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (out.SecretString === undefined) throw new ConfigError(`Secret ${arn} has no string value.`);
  return out.SecretString;
}

/** Fetches and caches the secrets not cached yet. */
export async function loadDbSecrets(
  arns: string[],
  fetch: SecretFetcher = fetchFromSecretsManager,
): Promise<void> {
  const missing = arns.filter((arn) => !secrets.has(arn));
  const loaded = await Promise.all(missing.map(async (arn) => [arn, parseDbSecret(arn, await fetch(arn))]));
  for (const [arn, secret] of loaded as Array<[string, DbSecret]>) secrets.set(arn, secret);
}

/** The settings with user and password from the role's secret, when it has one. */
export function withDbSecret(cfg: DbConfig): DbConfig {
  if (cfg.secretArn === undefined) return cfg;
  const secret = secrets.get(cfg.secretArn);
  if (!secret) throw new ConfigError(`Secret ${cfg.secretArn} was not loaded before connecting.`);
  return { ...cfg, user: secret.username ?? cfg.user, password: secret.password };
}

await loadDbSecrets(config.dbSecretArns());
