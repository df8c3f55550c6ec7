import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InfraError } from './progress.js';

const run = promisify(execFile);

/** Runs `cmd args` and returns its output, or undefined when the program is not installed. */
export async function probe(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await run(cmd, args, { timeout: 20000 });
    return `${stdout}${stderr}`;
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') return undefined;
    return `${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
}

/** Java 17 or newer runs the broker. */
export async function requireJava(): Promise<void> {
  const out = await probe('java', ['-version']);
  if (out === undefined) {
    throw new InfraError(
      'Java was not found on the PATH; the local Kafka broker needs Java 17 or newer.',
      'Install a JDK (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and run this again.',
    );
  }
  const major = Number(/version "(\d+)/.exec(out)?.[1] ?? '0');
  if (major < 17) {
    throw new InfraError(
      `Java ${major || '(unknown version)'} was found; the Kafka 4.1 broker needs Java 17 or newer.`,
      'Install Java 17+ and put it first on the PATH (or set JAVA_HOME).',
    );
  }
}

/** Maven fetches the broker jars (only the first time). */
export async function requireMaven(): Promise<void> {
  if ((await probe('mvn', ['-v'])) === undefined) {
    throw new InfraError(
      'Maven was not found on the PATH; it fetches the Kafka broker jars the first time.',
      'Install Maven (Debian/Ubuntu: `apt-get install maven`; macOS: `brew install maven`) and run this again.',
    );
  }
}
