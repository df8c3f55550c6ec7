/**
 * A stream: found by id, or by name prefix through the query API's list routes (those the OpenAPI
 * document gives a `name` parameter); its events in version order beside its write-side and
 * read-model rows, with their versions, so a lagging or diverging read model shows at a glance.
 */
import { getJson } from './api.js';
import { el, fields, replace, table } from './dom.js';
import type { StreamRow, StreamView } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface OpenApi {
  paths: Record<string, { get?: { parameters?: Array<{ name: string; in: string }> } }>;
}

/** The list routes that take a name prefix, e.g. ['/users']. */
async function searchableLists(): Promise<string[]> {
  const doc = await getJson<OpenApi>('/openapi.json');
  return Object.entries(doc.paths)
    .filter(
      ([path, item]) =>
        !path.includes('{') && item.get?.parameters?.some((p) => p.name === 'name' && p.in === 'query'),
    )
    .map(([path]) => path);
}

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function rowCard(id: string, title: string, row: StreamRow | null, latest: number) {
  if (!row)
    return el('div', { class: 'card', id }, el('h3', {}, title), el('p', { class: 'note' }, 'no row'));
  const behind = row.version === null ? null : latest - row.version;
  const badge =
    behind === null
      ? el('span', { class: 'badge' }, 'no version column')
      : behind === 0
        ? el('span', { class: 'badge ok' }, 'at the latest version')
        : el('span', { class: 'badge warn' }, `${behind} version${behind === 1 ? '' : 's'} behind`);
  return el(
    'div',
    { class: 'card', id },
    el('h3', {}, `${title}: ${row.table}`),
    el('p', {}, el('span', { class: 'version' }, `version ${row.version ?? '—'}`), ' ', badge),
    fields(Object.entries(row.row).map(([k, v]) => [k, text(v)])),
  );
}

function differing(view: StreamView): string[] {
  const write = view.writeRow?.row;
  const read = view.readRow?.row;
  if (!write || !read) return [];
  return Object.keys(write).filter(
    (k) => Object.hasOwn(read, k) && !/^UPDATED_AT$/i.test(k) && text(write[k]) !== text(read[k]),
  );
}

function renderStream(target: HTMLElement, view: StreamView) {
  const latest = view.events[view.events.length - 1]?.version ?? 0;
  const diff = differing(view);
  const sameVersion = view.writeRow?.version === view.readRow?.version;
  replace(
    target,
    el('h3', { id: 'stream-title' }, `${view.aggregate ?? 'unknown aggregate'} ${view.streamId}`),
    el('p', {}, `${view.events.length} events, latest version ${latest}`),
    diff.length && sameVersion
      ? el(
          'p',
          { class: 'badge warn', id: 'diverged' },
          `The rows differ at the same version in: ${diff.join(', ')}`,
        )
      : null,
    el(
      'div',
      { class: 'rows' },
      rowCard('write-row', 'Write side', view.writeRow, latest),
      rowCard('read-row', 'Read model', view.readRow, latest),
    ),
    table(
      [
        'version',
        'type',
        'time',
        'schema',
        'request id',
        'correlation id',
        'trace id',
        'partition',
        'offset',
        'data',
      ],
      view.events.map((e) => [
        e.version,
        e.type,
        e.occurredAt,
        e.schemaVersion,
        text(e.metadata.requestId ?? ''),
        text(e.metadata.correlationId ?? ''),
        typeof e.metadata.traceparent === 'string' ? (e.metadata.traceparent.split('-')[1] ?? '') : '',
        e.kafka?.partition ?? '—',
        e.kafka?.offset ?? '—',
        el('code', {}, JSON.stringify(e.data)),
      ]),
      { id: 'events', class: 'events' },
    ),
    view.offsetsRecorded
      ? null
      : el(
          'p',
          { class: 'note' },
          'Partitions and offsets are known for events the projection applied with its audit on (PROJECTION_AUDIT=applied).',
        ),
  );
}

export function mountStream(section: HTMLElement, onError: (error: Error) => void): void {
  const input = el('input', {
    id: 'stream-query',
    type: 'search',
    placeholder: 'a stream id, or a name prefix',
    size: '44',
  });
  const form = el('form', { id: 'stream-search' }, input, el('button', { type: 'submit' }, 'Find'));
  const results = el('div', { id: 'search-results' });
  const view = el('div', { id: 'stream-view' });
  replace(section, el('h2', {}, 'Stream'), form, results, view);

  const show = async (id: string) => {
    replace(results);
    try {
      renderStream(view, await getJson<StreamView>(`/console/api/streams/${encodeURIComponent(id)}`));
    } catch (error) {
      replace(view, el('p', { class: 'error' }, (error as Error).message));
    }
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const query = input.value.trim();
    if (!query) return;
    if (UUID.test(query)) {
      void show(query);
      return;
    }
    void (async () => {
      try {
        const lists = await searchableLists();
        const found: Array<{ path: string; item: { id: string; name?: string; version?: number } }> = [];
        for (const path of lists) {
          const page = await getJson<{ items: Array<{ id: string; name?: string; version?: number }> }>(
            `${path}?limit=20&name=${encodeURIComponent(query)}`,
          );
          found.push(...page.items.map((item) => ({ path, item })));
        }
        replace(view);
        replace(
          results,
          found.length
            ? el(
                'ul',
                { class: 'results' },
                ...found.map(({ path, item }) => {
                  const button = el(
                    'button',
                    { type: 'button', class: 'link', 'data-id': item.id },
                    item.name ?? item.id,
                  );
                  button.addEventListener('click', () => void show(item.id));
                  return el(
                    'li',
                    {},
                    button,
                    el('span', { class: 'note' }, ` ${path.slice(1)} ${item.id} v${item.version ?? '?'}`),
                  );
                }),
              )
            : el('p', { class: 'note' }, `Nothing found whose name starts with “${query}”.`),
        );
      } catch (error) {
        onError(error as Error);
      }
    })();
  });
}
