/**
 * The one place that reads the environment. Each section is read once, on first use, so a
 * function only needs the variables of the sections it uses (the query function never needs
 * Kafka settings). With CQRS_ENV=aws there are no local defaults: a missing variable fails fast
 * with a message naming it.
 */

export class ConfigError extends Error {
  readonly code = 'CONFIG_MISSING';
}

type Env = Record<string, string | undefined>;

/**
 * One database user per role. `operator` runs the maintenance tools (read-model rebuild, dead
 * letters, retention): it reads the event store and owns the read database's tables. `ops` reads
 * the figures GET /health shows and nothing else; `janitor` deletes expired idempotency keys.
 */
export type DbRole = 'admin' | 'command' | 'relay' | 'projection' | 'query' | 'operator' | 'ops' | 'janitor';

/** The roles a function logs in as (all but the admin login, which only infra uses). */
export const APP_ROLES = ['command', 'relay', 'projection', 'query', 'operator', 'ops', 'janitor'] as const;
export type AppRole = (typeof APP_ROLES)[number];

export interface DbConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string | undefined;
  connectionLimit: number;
  /** Connect over TLS, verifying the server certificate (RDS Proxy requires it in AWS). */
  ssl?: boolean;
  /** Secrets Manager secret holding this role's user and password (lib/secrets.ts reads it). */
  secretArn?: string;
}

export interface DatabaseNames {
  commands: string;
  queries: string;
}

export interface KafkaConfig {
  clientId: string;
  /** Plain broker list (local); empty when the brokers come from MSK discovery. */
  brokers: string[];
  /** MSK cluster ARN; when set, brokers are discovered and IAM auth is used. */
  mskClusterArn: string | undefined;
  region: string | undefined;
  topic: string;
  partitions: number;
  /** Replication factor of the topic when infra creates it (1 locally, 2+ on MSK). */
  replicationFactor: number;
  publishTimeoutMs: number;
  /** The projection's consumer group (its event source mapping's), for lag reports. */
  consumerGroup: string;
}

export interface CommandConfig {
  maxConflictRetries: number;
  maxBodyBytes: number;
  /** How long an Idempotency-Key answers retries (the janitor deletes older ones). */
  idempotencyTtlMs: number;
}

export interface RelayConfig {
  batchSize: number;
  minAgeMs: number;
  /** How long one scheduled invocation keeps draining before it returns. */
  budgetMs: number;
  /** Pause between passes of the local relay loop. */
  intervalMs: number;
  /** CloudWatch embedded metrics of the outbox (size, oldest age): on in Lambda, off locally unless RELAY_METRICS=on. */
  emitMetrics: boolean;
}

const LOCAL_DB_PASSWORDS: Record<AppRole, string> = {
  command: 'command-local-pw',
  relay: 'relay-local-pw',
  projection: 'projection-local-pw',
  query: 'query-local-pw',
  operator: 'operator-local-pw',
  ops: 'ops-local-pw',
  janitor: 'janitor-local-pw',
};

/** The database a role's connections open (the ops role names both databases' views in full). */
const HOME_DATABASE: Record<AppRole, keyof DatabaseNames> = {
  command: 'commands',
  relay: 'commands',
  janitor: 'commands',
  ops: 'commands',
  projection: 'queries',
  query: 'queries',
  operator: 'queries',
};

/** Reads variables from one environment, applying local defaults unless CQRS_ENV=aws. */
export class EnvReader {
  private readonly localDefaults: boolean;

  constructor(private readonly env: Env) {
    this.localDefaults = (env.CQRS_ENV ?? 'local') !== 'aws';
  }

  string(name: string, localDefault?: string): string {
    const value = this.env[name];
    if (value !== undefined && value !== '') return value;
    if (this.localDefaults && localDefault !== undefined) return localDefault;
    throw new ConfigError(`Missing environment variable ${name}. Set it (see .env.example).`);
  }

  /** `true`/`1` or `false`/`0`; anything else is an error. */
  flag(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(`Environment variable ${name} must be true or false, got "${raw}".`);
  }

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(
        `Environment variable ${name} must be an integer from ${min} to ${max}, got "${raw}".`,
      );
    }
    return value;
  }

  identifier(name: string, localDefault: string): string {
    const value = this.string(name, localDefault);
    if (!/^[A-Za-z0-9_]{1,64}$/.test(value)) {
      throw new ConfigError(
        `Environment variable ${name} must be 1-64 letters, digits or underscores, got "${value}".`,
      );
    }
    return value;
  }
}

/** Database names; identifiers are checked because SQL cannot take them as parameters. */
export function readDatabaseNames(env: Env): DatabaseNames {
  const reader = new EnvReader(env);
  return {
    commands: reader.identifier('COMMANDS_DB', 'commands'),
    queries: reader.identifier('QUERIES_DB', 'queries'),
  };
}

/** The variable naming a role's Secrets Manager secret: `<ROLE>_DB_SECRET_ARN`, `MARIADB_ADMIN_SECRET_ARN`. */
function dbSecretVariable(role: DbRole): string {
  return role === 'admin' ? 'MARIADB_ADMIN_SECRET_ARN' : `${role.toUpperCase()}_DB_SECRET_ARN`;
}

/**
 * Connection settings of one database role: its own user, and the database it may use. With a
 * secret ARN set, user and password may be left out: they come from the secret (lib/secrets.ts).
 */
export function readDbConfig(env: Env, role: DbRole): DbConfig {
  const reader = new EnvReader(env);
  const names = readDatabaseNames(env);
  const prefix = role.toUpperCase();
  const host = reader.optional(`${prefix}_DB_HOST`) ?? reader.string('MARIADB_HOST', '127.0.0.1');
  const port = reader.int(`${prefix}_DB_PORT`, reader.int('MARIADB_PORT', 3306, 1, 65535), 1, 65535);
  const connectionLimit = reader.int(`${prefix}_DB_CONNECTIONS`, role === 'admin' ? 2 : 10, 1, 1000);
  const ssl = reader.flag(`${prefix}_DB_TLS`, reader.flag('MARIADB_TLS', false));
  const secretArn = reader.optional(dbSecretVariable(role));
  const fromSecret = secretArn !== undefined;
  if (role === 'admin') {
    return {
      host,
      port,
      user: fromSecret
        ? (reader.optional('MARIADB_ADMIN_USER') ?? '')
        : reader.string('MARIADB_ADMIN_USER', 'root'),
      password: reader.optional('MARIADB_ADMIN_PASSWORD') ?? '',
      database: undefined,
      connectionLimit,
      ssl,
      secretArn,
    };
  }
  const database = names[HOME_DATABASE[role]];
  return {
    host,
    port,
    user:
      fromSecret && reader.optional(`${prefix}_DB_USER`) === undefined
        ? `cqrs_${role}`
        : reader.identifier(`${prefix}_DB_USER`, `cqrs_${role}`),
    password: fromSecret
      ? (reader.optional(`${prefix}_DB_PASSWORD`) ?? '')
      : reader.string(`${prefix}_DB_PASSWORD`, LOCAL_DB_PASSWORDS[role]),
    database,
    connectionLimit,
    ssl,
    secretArn,
  };
}

/** The secret ARNs set for any database role: what a cold start must fetch before connecting. */
export function readDbSecretArns(env: Env): string[] {
  const reader = new EnvReader(env);
  const roles: DbRole[] = ['admin', ...APP_ROLES];
  const arns = roles.map((role) => reader.optional(dbSecretVariable(role)));
  return [...new Set(arns.filter((arn): arn is string => arn !== undefined))];
}

export function readKafkaConfig(env: Env): KafkaConfig {
  const reader = new EnvReader(env);
  const mskClusterArn = reader.optional('MSK_CLUSTER_ARN');
  const brokers = mskClusterArn
    ? []
    : reader
        .string('KAFKA_BROKERS', `127.0.0.1:${reader.int('KAFKA_PORT', 9092, 1, 65535)}`)
        .split(',')
        .map((broker) => broker.trim())
        .filter(Boolean);
  return {
    clientId: reader.string('KAFKA_CLIENT_ID', 'cqrs-es'),
    brokers,
    mskClusterArn,
    region: reader.optional('AWS_REGION'),
    topic: reader.string('KAFKA_TOPIC', 'user-events'),
    partitions: reader.int('KAFKA_TOPIC_PARTITIONS', 3, 1, 1000),
    replicationFactor: reader.int('KAFKA_TOPIC_REPLICATION', 1, 1, 10),
    publishTimeoutMs: reader.int('KAFKA_PUBLISH_TIMEOUT_MS', 3000, 100, 60000),
    consumerGroup: reader.string('PROJECTION_CONSUMER_GROUP', 'cqrs-projection'),
  };
}

export function readCommandConfig(env: Env): CommandConfig {
  const reader = new EnvReader(env);
  return {
    maxConflictRetries: reader.int('COMMAND_MAX_CONFLICT_RETRIES', 5, 0, 100),
    maxBodyBytes: reader.int('COMMAND_MAX_BODY_BYTES', 16 * 1024, 1, 6 * 1024 * 1024),
    idempotencyTtlMs: reader.int('COMMAND_IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 365) * 3600 * 1000,
  };
}

/**
 * Who may send commands (COMMAND_AUTH). `iam`, the default with CQRS_ENV=aws: only requests the API
 * Gateway's IAM authorizer let through. `token`: `Authorization: Bearer <token>`, the local
 * equivalent (serverless-offline cannot check IAM signatures), with one token per caller in
 * COMMAND_AUTH_TOKENS (`alice=<token>,bob=<token>`) and/or COMMAND_AUTH_TOKEN (caller `token`).
 * `none`, the local default.
 */
export type CommandAuth =
  { mode: 'none' } | { mode: 'iam' } | { mode: 'token'; tokens: Array<{ caller: string; token: string }> };

const TOKEN = /^[\x21-\x2b\x2d-\x7e]{16,}$/;

export function readCommandAuth(env: Env): CommandAuth {
  const reader = new EnvReader(env);
  const mode = reader.optional('COMMAND_AUTH') ?? ((env.CQRS_ENV ?? 'local') === 'aws' ? 'iam' : 'none');
  if (mode === 'none' || mode === 'iam') return { mode };
  if (mode !== 'token') {
    throw new ConfigError(`Environment variable COMMAND_AUTH must be none, iam or token, got "${mode}".`);
  }
  const tokens: Array<{ caller: string; token: string }> = [];
  const single = reader.optional('COMMAND_AUTH_TOKEN');
  if (single !== undefined) tokens.push({ caller: 'token', token: single });
  for (const pair of (reader.optional('COMMAND_AUTH_TOKENS') ?? '').split(',').filter(Boolean)) {
    const [caller = '', token = ''] = pair.split(/=(.*)/s);
    if (!/^[\w.-]{1,64}$/.test(caller)) {
      throw new ConfigError(
        'COMMAND_AUTH_TOKENS must be caller=token pairs; a caller is 1-64 letters, digits, _ . -',
      );
    }
    tokens.push({ caller, token });
  }
  if (!tokens.length || !tokens.every((t) => TOKEN.test(t.token))) {
    throw new ConfigError(
      'COMMAND_AUTH=token needs COMMAND_AUTH_TOKEN or COMMAND_AUTH_TOKENS, each token at least 16 visible characters and no comma.',
    );
  }
  return { mode, tokens };
}

export interface ProjectionConfig {
  /** PROJECTION_AUDIT=applied records every applied event in applied_events (off by default). */
  auditApplied: boolean;
  /** CloudWatch embedded metrics (lag) on stdout: on in Lambda, off locally unless PROJECTION_METRICS=on. */
  emitMetrics: boolean;
}

function readProjectionConfig(env: Env): ProjectionConfig {
  const audit = new EnvReader(env).optional('PROJECTION_AUDIT') ?? 'off';
  if (audit !== 'off' && audit !== 'applied') {
    throw new ConfigError(`Environment variable PROJECTION_AUDIT must be off or applied, got "${audit}".`);
  }
  const reader = new EnvReader(env);
  const metrics = reader.optional('PROJECTION_METRICS') ?? (inLambda(env) ? 'on' : 'off');
  return { auditApplied: audit === 'applied', emitMetrics: metrics === 'on' };
}

export interface QueryConfig {
  /** How long GET /users/{id}?minVersion= waits for the projection before answering 202. */
  consistencyWaitMs: number;
  /** The first pause between its reads; each next pause doubles, up to consistencyMaxPollMs. */
  consistencyPollMs: number;
  consistencyMaxPollMs: number;
}

function readQueryConfig(env: Env): QueryConfig {
  const reader = new EnvReader(env);
  const consistencyPollMs = reader.int('QUERY_CONSISTENCY_POLL_MS', 20, 1, 1000);
  return {
    consistencyWaitMs: reader.int('QUERY_CONSISTENCY_WAIT_MS', 1000, 0, 10000),
    consistencyPollMs,
    consistencyMaxPollMs: reader.int('QUERY_CONSISTENCY_MAX_POLL_MS', 250, consistencyPollMs, 10000),
  };
}

/** Running in AWS Lambda, not under sls offline. */
const inLambda = (env: Env): boolean => Boolean(env.AWS_LAMBDA_FUNCTION_NAME) && !env.IS_OFFLINE;

function readRelayConfig(env: Env): RelayConfig {
  const reader = new EnvReader(env);
  return {
    batchSize: reader.int('RELAY_BATCH_SIZE', 500, 1, 10000),
    minAgeMs: reader.int('RELAY_MIN_AGE_MS', 2000, 0, 3600000),
    budgetMs: reader.int('RELAY_BUDGET_MS', 20000, 100, 900000),
    intervalMs: reader.int('RELAY_INTERVAL_MS', 500, 10, 3600000),
    emitMetrics: (reader.optional('RELAY_METRICS') ?? (inLambda(env) ? 'on' : 'off')) === 'on',
  };
}

export interface HealthConfig {
  /** GET /health is degraded while an event has been parked longer than this. */
  parkedMaxAgeMs: number;
}

function readHealthConfig(env: Env): HealthConfig {
  return { parkedMaxAgeMs: new EnvReader(env).int('HEALTH_PARKED_MAX_AGE_MS', 300000, 1000, 86400000) };
}

export interface JanitorConfig {
  /** Idempotency records older than this are deleted (COMMAND_IDEMPOTENCY_TTL_HOURS, as the commands read it). */
  idempotencyTtlMs: number;
  /** Rows deleted per statement, so no delete holds many locks for long. */
  batchSize: number;
  /** How long one scheduled invocation keeps deleting before it returns. */
  budgetMs: number;
  /** Pause between passes of the local janitor loop (`npm start`). */
  intervalMs: number;
}

function readJanitorConfig(env: Env): JanitorConfig {
  const reader = new EnvReader(env);
  return {
    idempotencyTtlMs: readCommandConfig(env).idempotencyTtlMs,
    batchSize: reader.int('JANITOR_BATCH_SIZE', 1000, 1, 100000),
    budgetMs: reader.int('JANITOR_BUDGET_MS', 20000, 100, 900000),
    intervalMs: reader.int('JANITOR_INTERVAL_MS', 600000, 1000, 86400000),
  };
}

const cache = new Map<string, unknown>();

function once<T>(key: string, read: () => T): T {
  if (!cache.has(key)) cache.set(key, read());
  return cache.get(key) as T;
}

/**
 * How personal fields are encrypted (lib/personal-data/). `local`, the local default: data keys
 * wrapped by a master key generated once into the state folder. `kms`, the default with
 * CQRS_ENV=aws: envelope encryption under the KMS key PERSONAL_DATA_KMS_KEY_ID.
 */
export type PersonalDataConfig =
  | { keys: 'local'; masterKeyFile: string; cacheMs: number }
  | { keys: 'kms'; kmsKeyId: string; cacheMs: number };

export function readPersonalDataConfig(env: Env): PersonalDataConfig {
  const reader = new EnvReader(env);
  const keys =
    reader.optional('PERSONAL_DATA_KEYS') ?? ((env.CQRS_ENV ?? 'local') === 'aws' ? 'kms' : 'local');
  const cacheMs = reader.int('PERSONAL_DATA_KEY_CACHE_MS', 60_000, 0, 3_600_000);
  if (keys === 'kms') return { keys, kmsKeyId: reader.string('PERSONAL_DATA_KMS_KEY_ID'), cacheMs };
  if (keys !== 'local') {
    throw new ConfigError(`Environment variable PERSONAL_DATA_KEYS must be local or kms, got "${keys}".`);
  }
  const stateDir = reader.optional('CQRS_STATE_DIR') ?? '.local';
  return {
    keys,
    masterKeyFile: reader.string('PERSONAL_DATA_MASTER_KEY_FILE', `${stateDir}/personal-data/master.key`),
    cacheMs,
  };
}

/**
 * A role's connection to the write database's key table (personal_data_keys): the role's own
 * user, on the commands database, where MARIADB_HOST/MARIADB_PORT (or KEYS_DB_HOST/KEYS_DB_PORT)
 * point, whatever database the role's other connections open.
 */
export function readKeyStoreDbConfig(env: Env, role: AppRole): DbConfig {
  const reader = new EnvReader(env);
  const base = readDbConfig(env, role);
  return {
    ...base,
    host: reader.optional('KEYS_DB_HOST') ?? reader.string('MARIADB_HOST', '127.0.0.1'),
    port: reader.int('KEYS_DB_PORT', reader.int('MARIADB_PORT', 3306, 1, 65535), 1, 65535),
    database: readDatabaseNames(env).commands,
  };
}

/** The process environment, read once per section. */
export const config = {
  personalData: (): PersonalDataConfig => once('personalData', () => readPersonalDataConfig(process.env)),
  keyStoreDb: (role: AppRole): DbConfig =>
    once(`keys:${role}`, () => readKeyStoreDbConfig(process.env, role)),
  db: (role: DbRole): DbConfig => once(`db:${role}`, () => readDbConfig(process.env, role)),
  databases: (): DatabaseNames => once('databases', () => readDatabaseNames(process.env)),
  dbSecretArns: (): string[] => once('dbSecretArns', () => readDbSecretArns(process.env)),
  kafka: (): KafkaConfig => once('kafka', () => readKafkaConfig(process.env)),
  command: (): CommandConfig => once('command', () => readCommandConfig(process.env)),
  commandAuth: (): CommandAuth => once('commandAuth', () => readCommandAuth(process.env)),
  projection: (): ProjectionConfig => once('projection', () => readProjectionConfig(process.env)),
  relay: (): RelayConfig => once('relay', () => readRelayConfig(process.env)),
  query: (): QueryConfig => once('query', () => readQueryConfig(process.env)),
  health: (): HealthConfig => once('health', () => readHealthConfig(process.env)),
  janitor: (): JanitorConfig => once('janitor', () => readJanitorConfig(process.env)),
};
