import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, whatever the working directory. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Git-ignored folder for downloaded jars, broker data, pid files and logs. */
export const STATE_DIR = path.resolve(ROOT, process.env.CQRS_STATE_DIR || '.local');

/**
 * Where the broker jars are cached (with their `.complete` stamp). Separate from the state folder
 * so a second stack (another state folder, other ports) can share one download.
 */
export const KAFKA_JARS_DIR = path.resolve(
  ROOT,
  process.env.KAFKA_JARS_DIR || path.join(STATE_DIR, 'kafka', 'lib'),
);

export const paths = {
  kafkaPom: path.join(ROOT, 'infra', 'kafka', 'pom.xml'),
  kafkaLib: KAFKA_JARS_DIR,
  kafkaJarsStamp: path.join(KAFKA_JARS_DIR, '.complete'),
  kafkaHome: path.join(STATE_DIR, 'kafka'),
  kafkaData: path.join(STATE_DIR, 'kafka', 'data'),
  kafkaProperties: path.join(STATE_DIR, 'kafka', 'server.properties'),
  kafkaLog4j: path.join(STATE_DIR, 'kafka', 'log4j2.properties'),
  kafkaLogFile: path.join(STATE_DIR, 'kafka', 'broker.log'),
  kafkaPidFile: path.join(STATE_DIR, 'kafka', 'broker.pid'),
  mariadbHome: path.join(STATE_DIR, 'mariadb'),
  mariadbData: path.join(STATE_DIR, 'mariadb', 'data'),
  mariadbPidFile: path.join(STATE_DIR, 'mariadb', 'mariadbd.pid'),
  mariadbSocket: path.join(STATE_DIR, 'mariadb', 'mariadbd.sock'),
  mariadbLogFile: path.join(STATE_DIR, 'mariadb', 'mariadbd.log'),
  /**
   * Where aggregates' folders (their migrations) are found: the project root, or the working
   * directory where MIGRATIONS_DIR says the files sit elsewhere, as in a Lambda bundle.
   */
  projectRoot: process.env.MIGRATIONS_DIR ? process.cwd() : ROOT,
  /** MIGRATIONS_DIR (relative to the working directory) where the files sit elsewhere, as in a Lambda bundle. */
  migrations: process.env.MIGRATIONS_DIR
    ? path.resolve(process.env.MIGRATIONS_DIR)
    : path.join(ROOT, 'infra', 'mariadb', 'migrations'),
};
