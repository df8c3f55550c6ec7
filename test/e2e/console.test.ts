/**
 * The console at /console, in a real headless Chromium, through `sls offline` on the real stack
 * (throwaway databases, topic and consumer group): a stream found by id and by name prefix beside
 * its rows, a poison record dead-lettered and dropped, a parked event with its age, hostile names
 * shown as text, the lag chart while the projection is held, and a rebuild with its progress.
 * Every test keeps a screenshot under $CQRS_STATE_DIR/console-screenshots.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureConsoleBuilt } from '../../console/build.js';
import { createProducer } from '../../lib/kafka/client.js';
import type { KafkaProducer } from '../../lib/kafka/ports.js';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { kafkaConfig, rolePool } from '../support/env.js';
import { EDGE_CHARS, INJECTIONS } from '../support/hostile-requests.js';
import { eventually, requestJson, startOffline, type OfflineServer } from '../support/offline.js';
import { envelope } from '../support/records.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page callbacks see the page's DOM, which this project's types leave out */
// The callbacks given to page.evaluate and waitForFunction run in the page, where these exist.
declare const document: any;
declare const window: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const spansFile = path.join(os.tmpdir(), `console-spans-${randomUUID()}.jsonl`);
const projectionDb = rolePool('projection');
let server: OfflineServer;
let producer: KafkaProducer;
let browser: BrowserSession;

beforeAll(async () => {
  await ensureConsoleBuilt(() => undefined);
  server = await startOffline({
    httpPort: 3300,
    lambdaPort: 3302,
    consumerGroup: `console-${randomUUID()}`,
    // The audit records each applied event's partition and offset, which the stream view shows.
    env: { TRACES_FILE: spansFile, PROJECTION_AUDIT: 'applied' },
  });
  producer = await createProducer(kafkaConfig, { quiet: true });
  await producer.connect();
}, 180000);

afterAll(async () => {
  await producer?.disconnect();
  await server?.stop();
  await projectionDb.end();
  await rm(spansFile, { force: true });
});

beforeEach(async () => {
  browser = await openBrowser();
}, 60000);

afterEach(async () => {
  await browser?.close();
});

const http = (method: string, path: string, body?: unknown) => requestJson(server.url, method, path, body);

const visibleAt = (id: string, version: number) =>
  eventually(
    async () => {
      const res = await http('GET', `/users/${id}`);
      return res.status === 200 && res.body.version >= version ? res : undefined;
    },
    20000,
    `user ${id} at version ${version}`,
  );

async function registered(name: string): Promise<string> {
  const created = await http('POST', '/users', { name });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

const open = async (tab: string) => {
  await browser.page.goto(`${server.url}/console#${tab}`);
  await browser.page.waitForSelector(`#${tab}:not([hidden])`);
};

const textOf = (selector: string) => browser.page.locator(selector).innerText();

describe('the console in a browser, through sls offline', () => {
  it('a user registered through the API is found by id and by name prefix, with its events and both rows at its version', async () => {
    const prefix = `Console-${randomUUID().slice(0, 8)}`;
    const id = await registered(`${prefix} Ada`);
    expect((await http('PUT', `/users/${id}/name`, { name: `${prefix} Ada Lovelace` })).status).toBe(200);
    await visibleAt(id, 2);

    await open('stream');
    await browser.page.fill('#stream-query', id);
    await browser.page.click('#stream-search button[type=submit]');
    await browser.page.waitForSelector('#events tbody tr');
    const rows = browser.page.locator('#events tbody tr');
    expect(await rows.count()).toBe(2);
    const cells = async (i: number) => rows.nth(i).locator('td').allInnerTexts();
    const [first, second] = [await cells(0), await cells(1)];
    expect(first.slice(0, 2)).toEqual(['1', 'UserRegistered']);
    expect(second.slice(0, 2)).toEqual(['2', 'UserRenamed']);
    // schema version, request id, and the partition and offset the audit recorded
    expect(second[3]).toBe('1');
    expect(second[4]).toMatch(/\S/);
    expect(second[7]).toMatch(/^\d+$/);
    expect(second[8]).toMatch(/^\d+$/);
    expect(second[9]).toContain(`${prefix} Ada Lovelace`);
    expect(await textOf('#write-row')).toContain('version 2');
    expect(await textOf('#read-row')).toContain('version 2');
    expect(await textOf('#read-row')).toContain('at the latest version');
    expect(await textOf('#write-row')).toContain(`${prefix} Ada Lovelace`);

    await browser.page.fill('#stream-query', prefix);
    await browser.page.click('#stream-search button[type=submit]');
    const result = browser.page.locator(`#search-results button[data-id="${id}"]`);
    await result.waitFor();
    expect(await result.innerText()).toBe(`${prefix} Ada Lovelace`);
    await result.click();
    await browser.page.waitForSelector('#events tbody tr');
    expect(await textOf('#stream-title')).toContain(id);
    await browser.screenshot('stream');
    expect(browser.pageErrors).toEqual([]);
  });

  it('hostile names show literally and run nothing', async () => {
    const flag = '<img src=x onerror="window.__consoleHacked=1">';
    const rtl = `${EDGE_CHARS.find((c) => c === '\u202E')}Hostile-${randomUUID().slice(0, 6)}.exe`;
    const names = [flag, ...INJECTIONS.filter((s) => s.includes('<')), rtl];
    // A lone surrogate never reaches the console: the command API refuses it.
    const lone = await http('POST', '/users', { name: `a${EDGE_CHARS.find((c) => c === '\uD800')}b` });
    expect(lone.status).toBe(400);
    const ids: string[] = [];
    for (const name of names) ids.push(await registered(name));
    for (const id of ids) await visibleAt(id, 1);

    await open('stream');
    for (const [i, name] of names.entries()) {
      await browser.page.fill('#stream-query', ids[i]!);
      await browser.page.click('#stream-search button[type=submit]');
      await browser.page.waitForFunction(
        (id: string) => document.querySelector('#stream-title')?.textContent?.includes(id),
        ids[i]!,
      );
      const shown = await browser.page
        .locator('#read-row dd')
        .evaluateAll((dds) => dds.map((dd) => dd.textContent));
      expect(shown).toContain(name);
      const written = await browser.page
        .locator('#write-row dd')
        .evaluateAll((dds) => dds.map((dd) => dd.textContent));
      expect(written).toContain(name);
    }
    await browser.page.fill('#stream-query', '<img');
    await browser.page.click('#stream-search button[type=submit]');
    await browser.page.waitForSelector('#search-results button');
    const listed = await browser.page
      .locator('#search-results button')
      .evaluateAll((buttons) => buttons.map((b) => b.textContent));
    expect(listed).toEqual(expect.arrayContaining(names.filter((n) => n.startsWith('<img'))));

    expect(await browser.page.evaluate(() => document.querySelectorAll('main img, main script').length)).toBe(
      0,
    );
    expect(await browser.page.evaluate(() => window.__consoleHacked)).toBe(undefined);
    expect(browser.dialogs).toEqual([]);
    await browser.screenshot('hostile-names');
  });

  it('a poison record produced onto the topic shows under dead letters with its raw record, is redriven and dropped after a confirmation', async () => {
    const value = `{"not": json <img src=x onerror="window.__consoleHacked=1"> ${randomUUID()}`;
    const [sent] = await producer.send({
      topic: kafkaConfig.topic,
      messages: [{ key: randomUUID(), value }],
    });
    const letter = await eventually(
      async () => {
        const { body } = await http('GET', '/console/api/dead-letters');
        return (body.items as Array<{ id: number; offset: string; partition: number }>).find(
          (d) => d.partition === sent!.partition && d.offset === sent!.baseOffset,
        );
      },
      20000,
      'the dead letter',
    );

    await open('dead-letters');
    const show = browser.page.locator(`#dead-letters-table button[data-id="${letter.id}"]`);
    await show.waitFor();
    await show.click();
    await browser.page.waitForSelector('#dead-letter-value');
    expect(await browser.page.locator('#dead-letter-value').evaluate((pre) => pre.textContent)).toBe(value);
    const detail = await textOf('#dead-letter-detail');
    expect(detail).toContain('UNPARSEABLE');
    expect(detail).toContain(sent!.baseOffset!);
    await browser.screenshot('dead-letter');

    // Redrive goes through the dead-letter store: a record that is still not JSON stays a dead letter.
    await browser.page.click('#redrive');
    await browser.page.click('#confirm-ok');
    await browser.page.waitForFunction(
      (id: number) =>
        document
          .querySelector('#dead-letter-message')
          ?.textContent?.startsWith(`Dead letter ${id} still fails (UNPARSEABLE)`),
      letter.id,
    );
    await browser.page.locator(`#dead-letters-table button[data-id="${letter.id}"]`).click();
    await browser.page.waitForSelector('#drop');

    await browser.page.click('#drop');
    await browser.page.waitForSelector('#confirm[open]');
    expect(await textOf('#confirm-text')).toContain(`Drop dead letter ${letter.id}?`);
    await browser.page.click('#confirm-cancel');
    expect((await http('GET', `/console/api/dead-letters/${letter.id}`)).status).toBe(200);

    await browser.page.click('#drop');
    await browser.page.click('#confirm-ok');
    await browser.page.waitForFunction(
      (id) => document.querySelector('#dead-letter-message')?.textContent === `Dead letter ${id} dropped.`,
      letter.id,
    );
    // The list is refreshed before the message shows.
    expect(await browser.page.locator(`#dead-letters-table button[data-id="${letter.id}"]`).count()).toBe(0);
    const [gone] = (await projectionDb.query('SELECT COUNT(*) AS n FROM dead_letters WHERE id = ?', [
      letter.id,
    ])) as Array<{ n: number }>;
    expect(Number(gone!.n)).toBe(0);
    expect(await browser.page.evaluate(() => window.__consoleHacked)).toBe(undefined);
  });

  it('an event parked behind a gap in its stream shows with how long it has waited', async () => {
    const id = await registered(`Parked ${randomUUID().slice(0, 6)}`);
    await visibleAt(id, 1);
    const ahead = { ...envelope(id, 3, 'UserRenamed', { name: 'Ahead' }), streamType: 'user' };
    await producer.send({ topic: kafkaConfig.topic, messages: [{ key: id, value: JSON.stringify(ahead) }] });
    await eventually(
      async () => {
        const { body } = await http('GET', '/console/api/parked');
        return (body.items as Array<{ streamId: string }>).find((p) => p.streamId === id);
      },
      20000,
      'the parked event',
    );
    await new Promise((r) => setTimeout(r, 2000));

    await open('parked');
    const row = browser.page.locator('#parked-table tbody tr', { hasText: id });
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[0]).toBe(id);
    expect(cells[1]).toBe('3');
    expect(cells[2]).toBe('UserRenamed');
    expect(cells[4]).toMatch(/^\d+ s$/);
    expect(Number(cells[4]!.split(' ')[0])).toBeGreaterThanOrEqual(2);
    expect(cells[5]).toBe('v2 first');
    await browser.screenshot('parked');
  });

  it('the lag chart shows a non-zero lag while the projection is held, and returns to zero', async () => {
    const id = await registered(`Held ${randomUUID().slice(0, 6)}`);
    await visibleAt(id, 1);
    await open('pipeline');
    await browser.page.waitForSelector('#lag-total');

    const lock = await projectionDb.getConnection();
    try {
      // The projection's batch waits on this row lock (SELECT … FOR UPDATE) until it is released.
      await lock.beginTransaction();
      await lock.query('SELECT * FROM USER_DATA WHERE USER_ID = ? FOR UPDATE', [id]);
      for (let i = 0; i < 3; i++)
        expect((await http('PUT', `/users/${id}/name`, { name: `Held ${i}` })).status).toBe(200);
      await browser.page.waitForFunction(
        () =>
          /records behind now [1-9]/.test(document.querySelector('#lag-chart figcaption')?.textContent ?? ''),
        undefined,
        { timeout: 20000 },
      );
      expect(Number(await textOf('#lag-total .value'))).toBeGreaterThan(0);
      // More commands while it is held: the lag grows, one poll a second draws it.
      for (let i = 3; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        expect((await http('PUT', `/users/${id}/name`, { name: `Held ${i}` })).status).toBe(200);
      }
      await browser.page.waitForFunction(
        () =>
          /records behind now ([4-9]|\d\d)/.test(
            document.querySelector('#lag-chart figcaption')?.textContent ?? '',
          ),
        undefined,
        { timeout: 20000 },
      );
      await browser.screenshot('pipeline-held');
    } finally {
      await lock.rollback().catch(() => undefined);
      await lock.release();
    }
    await visibleAt(id, 7);
    await browser.page.waitForFunction(
      () => /records behind now 0,/.test(document.querySelector('#lag-chart figcaption')?.textContent ?? ''),
      undefined,
      { timeout: 20000 },
    );
    await new Promise((r) => setTimeout(r, 3000));
    const series = await browser.page.evaluate(() => {
      const chart = document.querySelector('#lag-chart').chart as { data: number[][] } | undefined;
      return chart?.data[1] ?? [];
    });
    expect(Math.max(...series)).toBeGreaterThan(0);
    expect(series[series.length - 1]).toBe(0);
    expect(await textOf('#command-statuses .value')).toMatch(/^[1-9]\d* \/ \d+ \/ 0$/);
    // The held renames' 2xx to the end of the batch that applied them: the seconds they were held.
    expect(await textOf('#freshness .value')).toMatch(/^\d+ \/ \d+ ms$/);
    await browser.screenshot('pipeline');
  });

  it('a rebuild started from the console shows its progress and swaps in a read model equal to the one before', async () => {
    const before = await projectionDb.query(
      'SELECT USER_ID, NAME, VERSION, STATUS FROM USER_DATA ORDER BY USER_ID',
    );
    await open('rebuild');
    await browser.page.click('#rebuild-start');
    await browser.page.click('#confirm-ok');
    await browser.page.waitForFunction(
      () => document.querySelector('#rebuild-outcome')?.textContent?.startsWith('Done'),
      undefined,
      { timeout: 60000 },
    );
    const progress = await browser.page
      .locator('#rebuild-progress')
      .evaluate((bar) => [
        (bar as unknown as { value: number }).value,
        (bar as unknown as { max: number }).max,
      ]);
    expect(progress[0]).toBeGreaterThan(0);
    expect(progress[0]).toBe(progress[1]);
    expect(await textOf('#rebuild-state')).toMatch(/events applied, swapped in at/);
    await browser.screenshot('rebuild');
    const after = await projectionDb.query(
      'SELECT USER_ID, NAME, VERSION, STATUS FROM USER_DATA ORDER BY USER_ID',
    );
    expect(after).toEqual(before);
  });
});

describe('the console API', () => {
  it('the build is skipped while the console sources and the toolchain are unchanged', async () => {
    const lines: string[] = [];
    expect(await ensureConsoleBuilt((line) => lines.push(line))).toBe('fresh');
    expect(lines).toEqual(['Console up to date (console/dist).']);
  });

  it('GET /console serves the built page with a policy that allows only its own scripts', async () => {
    const res = await fetch(`${server.url}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toMatch(
      /<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js">/,
    );
  });

  it('bad input is a 400 naming the field, unknown things are 404, and nothing is written', async () => {
    const bad = await http('GET', '/console/api/streams/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'id' }] });
    expect((await http('GET', '/console/api/dead-letters/0')).body.error.details).toEqual([
      { field: 'id', problem: 'must be a positive whole number' },
    ]);
    expect((await http('POST', '/console/api/dead-letters/abc/drop', {})).status).toBe(400);
    const rebuild = await http('POST', '/console/api/rebuild', { chunkSize: 'many' });
    expect(rebuild.status).toBe(400);
    expect(rebuild.body.error.details[0].field).toBe('chunkSize');
    expect((await http('GET', `/console/api/streams/${randomUUID()}`)).body.error.code).toBe(
      'STREAM_NOT_FOUND',
    );
    expect((await http('POST', '/console/api/dead-letters/999999999/drop', {})).status).toBe(404);
    expect((await http('POST', '/console/api/dead-letters/999999999/redrive', {})).status).toBe(404);
    expect((await http('GET', '/console/api/nothing-here')).body.error.code).toBe('ROUTE_NOT_FOUND');
    expect((await http('GET', '/console/../etc/passwd')).status).toBeGreaterThanOrEqual(400);
  });
});
