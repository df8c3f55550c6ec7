import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { paths } from '../paths.js';
import { InfraError, progress } from '../progress.js';
import { requireMaven } from '../prerequisites.js';

async function pomDigest(): Promise<string> {
  return createHash('sha256')
    .update(await readFile(paths.kafkaPom))
    .digest('hex');
}

/** True when the jar set for the current pom.xml is already cached. */
async function jarsCached(): Promise<boolean> {
  try {
    return (await readFile(paths.kafkaJarsStamp, 'utf8')).trim() === (await pomDigest());
  } catch {
    return false;
  }
}

/**
 * Copies the broker jars pinned in infra/kafka/pom.xml into the jars folder (KAFKA_JARS_DIR,
 * by default .local/kafka/lib), once.
 * The copy goes to a temporary folder renamed into place at the end, so an interrupted
 * download never leaves a half-filled lib folder behind.
 */
export async function ensureKafkaJars(): Promise<void> {
  if (await jarsCached()) {
    progress.ok(`Kafka jars cached in ${paths.kafkaLib}`);
    return;
  }
  await requireMaven();
  const staging = `${paths.kafkaLib}.partial`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  progress.step('Fetching the Kafka broker jars with Maven (first run only, about 55 MB)…');
  const code = await new Promise<number>((resolve, reject) => {
    const mvn = spawn(
      'mvn',
      [
        '-B',
        '-f',
        paths.kafkaPom,
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${staging}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let copied = 0;
    let tail = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) {
        if (/Copying .*\.jar/.test(line) && ++copied % 25 === 0) progress.step(`  ${copied} jars copied`);
        if (/Downloaded from .*\.jar/.test(line)) process.stdout.write('.');
      }
    };
    mvn.stdout.on('data', onData);
    mvn.stderr.on('data', onData);
    mvn.on('error', reject);
    mvn.on('close', (status) => {
      if (status !== 0) console.error(tail);
      resolve(status ?? 1);
    });
  });
  if (code !== 0) {
    throw new InfraError(
      'Maven could not fetch the Kafka broker jars.',
      'Check that Maven can reach its central repository (proxy settings in ~/.m2/settings.xml), then run `npm run infra:up` again.',
    );
  }
  const jars = (await readdir(staging)).filter((name) => name.endsWith('.jar'));
  await writeFile(path.join(staging, path.basename(paths.kafkaJarsStamp)), `${await pomDigest()}\n`);
  await rm(paths.kafkaLib, { recursive: true, force: true });
  await rename(staging, paths.kafkaLib);
  progress.ok(`Kafka jars ready: ${jars.length} jars in ${paths.kafkaLib}`);
}
