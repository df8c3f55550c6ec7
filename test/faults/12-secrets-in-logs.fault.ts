/**
 * After every scenario has run (broker and databases down, bad requests, crashes): no log of the
 * run — `sls offline` with its handlers, the relay processes, the functions run in this process,
 * the broker and database servers — contains a database password, the command token or a
 * connection string.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { CURRENT, MASTER_KEY_FILE } from './support/stack.js';
import { report } from './support/report.js';

function masterKey(): string[] {
  if (!existsSync(MASTER_KEY_FILE)) return [];
  const text = readFileSync(MASTER_KEY_FILE, 'utf8').trim();
  return [text, Buffer.from(text, 'base64').toString('hex')];
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'data') out.push(...(await files(full)));
    else if (entry.isFile() && /\.log$/.test(entry.name)) out.push(full);
  }
  return out;
}

it('no log of the whole run holds a password, the command token or a connection string', async () => {
  const env = process.env;
  const secrets = [
    env.COMMAND_DB_PASSWORD,
    env.RELAY_DB_PASSWORD,
    env.PROJECTION_DB_PASSWORD,
    env.QUERY_DB_PASSWORD,
    env.OPERATOR_DB_PASSWORD,
    env.COMMAND_AUTH_TOKEN,
    // The local master key that wraps every data key, as stored (base64) and as hex.
    ...masterKey(),
  ].filter((s): s is string => Boolean(s));
  const patterns = [
    /(?:mysql|mariadb|kafka):\/\/[^\s"]*@/i,
    /\w+:[^\s:@"/]{4,}@(?:127\.0\.0\.1|localhost)/,
    /IDENTIFIED BY/i,
    /"password"\s*:\s*"(?!\[redacted\])/i,
    /password=(?!\[redacted\])\S/i,
  ];
  const logs = await files(CURRENT);
  let lines = 0;
  let text = '';
  const hits: string[] = [];
  for (const file of logs) {
    const content = await readFile(file, 'utf8');
    text += content;
    lines += content.split('\n').length;
    for (const secret of secrets) if (content.includes(secret)) hits.push(`${path.basename(file)}: a secret`);
    for (const pattern of patterns) {
      const match = pattern.exec(content);
      if (match) hits.push(`${path.basename(file)}: ${match[0]}`);
    }
  }
  report({
    scenario: 'secrets in the logs of the whole run',
    commands: 0,
    acknowledged: 0,
    eventsStored: 0,
    readModelRows: 0,
    lost: 0,
    appliedTwice: 0,
    parked: 0,
    notes: { 'log files': logs.length, lines, 'secrets looked for': secrets.length, hits: hits.length },
  });
  expect(hits).toEqual([]);
  // Six passwords and tokens, and the master key in its two spellings (commands sealed names, so it exists).
  expect(secrets).toHaveLength(8);
  // The scan saw real traffic and real failures, so it could have found something.
  for (const seen of [
    '"message":"http"',
    'projection-batch',
    'dependency-unavailable',
    'dead-lettered',
    '"status":401',
  ]) {
    expect([seen, text.includes(seen)]).toEqual([seen, true]);
  }
  expect(lines).toBeGreaterThan(5000);
});
