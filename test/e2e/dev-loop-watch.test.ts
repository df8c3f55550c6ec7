/**
 * `sls offline` rebuilds the functions when their source changes (serverless-esbuild's watcher,
 * custom.esbuild.watch). It watches the source folders, and nothing of the state folder, whose
 * broker log, spans file and leases change on every message and would keep the watcher busy.
 * After a rebuild the Kafka-triggered projection runs the rebuilt code, as the HTTP functions do.
 *
 * What the running process watches is read from the kernel: its inotify watches, by inode. A
 * source change is a new modification time on the projection's handler, put back afterwards;
 * an `npm start` running meanwhile rebuilds the same code too.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { ROOT, STATE_DIR } from '../../infra/paths.js';
import { eventually, requestJson, startOffline, type OfflineServer } from '../support/offline.js';

let server: OfflineServer;

beforeAll(async () => {
  server = await startOffline({
    httpPort: 3150,
    lambdaPort: 3152,
    consumerGroup: `dev-loop-${randomUUID()}`,
  });
}, 120000);

afterAll(async () => {
  await server?.stop();
});

/** The inodes (hex, as the kernel prints them) of everything the process's inotify instances watch. */
function watchedInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  const fdDir = `/proc/${pid}/fd`;
  for (const fd of readdirSync(fdDir)) {
    let target: string;
    try {
      target = readlinkSync(path.join(fdDir, fd));
    } catch {
      continue; // closed meanwhile
    }
    if (target !== 'anon_inode:inotify') continue;
    const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    for (const match of info.matchAll(/^inotify wd:\S+ ino:([0-9a-f]+) /gm)) inodes.add(match[1]!);
  }
  return inodes;
}

/** Every folder under `dir` (itself included), skipping node_modules; the broker removes some meanwhile. */
function foldersUnder(dir: string): string[] {
  const found = [dir];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries)
    if (entry.isDirectory() && entry.name !== 'node_modules')
      found.push(...foldersUnder(path.join(dir, entry.name)));
  return found;
}

const inodeOf = (p: string) => statSync(p, { throwIfNoEntry: false })?.ino.toString(16) ?? 'gone';
const relative = (p: string) => path.relative(ROOT, p) || '.';

describe('the dev loop of sls offline', () => {
  it('the rebuild watcher watches every source folder of the functions and no folder of the state folder', async () => {
    const sources = ['functions', 'lib', 'aggregates', 'infra'].flatMap((d) =>
      foldersUnder(path.join(ROOT, d)),
    );
    // The watcher is started after the first build and scans the folders asynchronously.
    const watched = await eventually(
      async () => {
        const inodes = watchedInodes(server.pid!);
        return sources.every((dir) => inodes.has(inodeOf(dir))) ? inodes : undefined;
      },
      30000,
      'the watcher to watch the source folders',
    ).catch(() => watchedInodes(server.pid!));
    expect(sources.filter((dir) => !watched.has(inodeOf(dir))).map(relative)).toEqual([]);

    // The state folder (CQRS_STATE_DIR, .local by default) and the folders beside the sources.
    const nodeModules = path.join(ROOT, 'node_modules');
    const neverWatched = [
      ...[STATE_DIR, path.join(ROOT, '.local'), path.join(ROOT, 'test'), path.join(ROOT, 'bench')]
        .filter(
          (dir) => dir.startsWith(ROOT + path.sep) && statSync(dir, { throwIfNoEntry: false })?.isDirectory(),
        )
        .flatMap(foldersUnder),
      nodeModules,
      ...readdirSync(nodeModules).map((name) => path.join(nodeModules, name)),
    ];
    expect(neverWatched.length).toBeGreaterThan(0);
    expect(neverWatched.filter((dir) => watched.has(inodeOf(dir))).map(relative)).toEqual([]);
  });

  it('after a source change, the projection environments are restarted with the rebuilt code and keep projecting', async () => {
    const source = path.join(ROOT, 'functions', 'projection', 'handler.ts');
    const { atime, mtime } = statSync(source);
    const restarted = /offline-kafka: projection: \d+ environment\(s\) restarted with the rebuilt code/;
    expect(server.output()).not.toMatch(restarted);
    try {
      utimesSync(source, new Date(), new Date());
      await eventually(
        async () => (restarted.test(server.output()) ? true : undefined),
        60000,
        'the restart',
      );
    } finally {
      utimesSync(source, atime, mtime);
    }
    const created = await requestJson(server.url, 'POST', '/users', { name: 'Rebuilt Projection' });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    const seen = await eventually(async () => {
      const res = await requestJson(server.url, 'GET', `/users/${id}`);
      return res.status === 200 ? res : undefined;
    });
    expect(seen.body).toMatchObject({ id, name: 'Rebuilt Projection' });
  }, 90000);
});
