/**
 * The pipeline, live: command → outbox → Kafka → projection → read model, each with its figures,
 * and charts of the projection's lag and the throughput. Polls /console/api/pipeline.
 */
import { getJson } from './api.js';
import { timeChart } from './charts.js';
import { ageText, el, replace, table } from './dom.js';
import type { Pipeline, SecondOfThroughput } from './types.js';

const POLL_MS = 1000;

function stage(id: string, title: string) {
  const body = el('div', { class: 'figures' });
  return { node: el('div', { class: 'stage', id }, el('h3', {}, title), body), body };
}

const figure = (label: string, value: string | number, attributes: Record<string, string> = {}) =>
  el(
    'div',
    { class: 'figure', ...attributes },
    el('span', { class: 'value' }, String(value)),
    el('span', { class: 'label' }, label),
  );

const perSecond = (seconds: SecondOfThroughput[], pick: (s: SecondOfThroughput) => number, span = 5) => {
  // The current second is still filling: average the `span` complete ones before it.
  const complete = seconds.slice(-span - 1, -1);
  return complete.length ? complete.reduce((sum, s) => sum + pick(s), 0) / complete.length : 0;
};

const round = (n: number) => (n >= 10 ? Math.round(n) : Math.round(n * 10) / 10);

export function mountPipeline(section: HTMLElement, onError: (error: Error) => void): void {
  const command = stage('stage-command', 'Commands');
  const outbox = stage('stage-outbox', 'Outbox');
  const kafka = stage('stage-kafka', 'Kafka');
  const projection = stage('stage-projection', 'Projection');
  const readModel = stage('stage-read-model', 'Read model');
  const arrow = () => el('div', { class: 'arrow', 'aria-hidden': 'true' }, '→');
  const problems = el('ul', { id: 'problems', class: 'problems' });
  const lagChart = timeChart('lag-chart', 'Projection lag', 'records', [
    { label: 'records behind', stroke: '#d6336c' },
  ]);
  const throughputChart = timeChart('throughput-chart', 'Throughput', 'per s', [
    { label: 'commands/s', stroke: '#1c7ed6' },
    { label: 'events applied/s', stroke: '#2f9e44' },
  ]);
  const source = el('p', { class: 'note', id: 'throughput-source' });
  replace(
    section,
    el('h2', {}, 'Pipeline'),
    el(
      'div',
      { class: 'diagram' },
      command.node,
      arrow(),
      outbox.node,
      arrow(),
      kafka.node,
      arrow(),
      projection.node,
      arrow(),
      readModel.node,
    ),
    problems,
    el('div', { class: 'charts' }, lagChart.element, throughputChart.element),
    source,
  );

  const render = (p: Pipeline) => {
    const { health, throughput } = p;
    const seconds = throughput.seconds;
    const last60 = seconds.reduce(
      (sum, s) => ({
        '2xx': sum['2xx'] + s.commands['2xx'],
        '4xx': sum['4xx'] + s.commands['4xx'],
        '5xx': sum['5xx'] + s.commands['5xx'],
      }),
      { '2xx': 0, '4xx': 0, '5xx': 0 },
    );
    const commandsPerSecond = perSecond(
      seconds,
      (s) => s.commands['2xx'] + s.commands['4xx'] + s.commands['5xx'],
    );
    replace(
      command.body,
      figure('commands/s', round(commandsPerSecond), { id: 'commands-per-second' }),
      figure(
        `2xx / 4xx / 5xx (last ${seconds.length} s)`,
        `${last60['2xx']} / ${last60['4xx']} / ${last60['5xx']}`,
        {
          id: 'command-statuses',
        },
      ),
    );
    replace(
      outbox.body,
      ...('error' in health.outbox
        ? [figure('unknown', health.outbox.error)]
        : [
            figure('backlog', health.outbox.pending, { id: 'outbox-pending' }),
            figure('oldest', ageText(health.outbox.oldestAgeMs), { id: 'outbox-oldest' }),
          ]),
    );
    if ('error' in health.projection) {
      replace(kafka.body, figure('lag unknown', health.projection.error));
    } else {
      replace(
        kafka.body,
        figure('lag, all partitions', health.projection.total, { id: 'lag-total' }),
        table(
          ['partition', 'end', 'committed', 'lag'],
          health.projection.partitions.map((q) => [
            q.partition,
            q.end,
            q.committed < 0 ? '—' : q.committed,
            q.lag,
          ]),
          { id: 'lag-partitions', class: 'compact' },
        ),
      );
      lagChart.put(Math.floor(Date.parse(p.at) / 1000), [health.projection.total]);
    }
    replace(
      projection.body,
      figure('batches/s', round(perSecond(seconds, (s) => s.batches)), { id: 'batches-per-second' }),
      figure('events/s', round(perSecond(seconds, (s) => s.events)), { id: 'events-per-second' }),
      figure(
        'freshness p50 / p95 (2xx → visible)',
        throughput.freshness ? `${throughput.freshness.p50Ms} / ${throughput.freshness.p95Ms} ms` : '—',
        { id: 'freshness' },
      ),
    );
    replace(
      readModel.body,
      ...('error' in health.readModel
        ? [figure('unknown', health.readModel.error)]
        : [
            figure('dead letters', health.readModel.deadLetters.count, { id: 'dead-letter-count' }),
            figure(
              'parked',
              health.readModel.parked.count
                ? `${health.readModel.parked.count} (oldest ${ageText(health.readModel.parked.oldestAgeMs)})`
                : 0,
              { id: 'parked-count' },
            ),
          ]),
    );
    replace(problems, ...health.problems.map((text) => el('li', {}, text)));
    for (const s of seconds.slice(0, -1)) {
      throughputChart.put(s.t, [s.commands['2xx'] + s.commands['4xx'] + s.commands['5xx'], s.events]);
    }
    lagChart.redraw();
    throughputChart.redraw();
    replace(
      source,
      'file' in throughput.source
        ? `Commands, batches and freshness are read from the spans in ${throughput.source.file}; lag from Kafka; backlogs from the databases.`
        : `Commands, batches and freshness are unknown: ${throughput.source.unavailable}. Lag and backlogs still show.`,
    );
  };

  const poll = async () => {
    try {
      render(await getJson<Pipeline>('/console/api/pipeline'));
    } catch (error) {
      onError(error as Error);
    } finally {
      setTimeout(poll, POLL_MS);
    }
  };
  void poll();
}
