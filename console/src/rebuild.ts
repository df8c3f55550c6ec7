/**
 * The read-model rebuild `npm run rebuild` runs (blue-green, resumable), started from here after a
 * confirmation, with its progress read from the rebuild's checkpoint table while it runs.
 */
import { getJson, postJson } from './api.js';
import { confirmAction, el, replace } from './dom.js';
import type { RebuildStatus } from './types.js';

export function mountRebuild(section: HTMLElement, onError: (error: Error) => void): () => Promise<void> {
  const start = el('button', { type: 'button', id: 'rebuild-start' }, 'Rebuild the read model…');
  const bar = el('progress', { id: 'rebuild-progress', max: '1', value: '0' });
  const state = el('p', { id: 'rebuild-state', role: 'status' });
  const outcome = el('p', { id: 'rebuild-outcome' });
  replace(
    section,
    el('h2', {}, 'Rebuild'),
    el(
      'p',
      { class: 'note' },
      'Fills fresh read-model tables from the event store and swaps them in atomically while the pipeline keeps running.',
    ),
    start,
    el('div', { class: 'progress' }, bar, state),
    outcome,
  );

  const refresh = async () => {
    try {
      const { latest } = await getJson<{ latest: RebuildStatus | null }>('/console/api/rebuild');
      if (!latest) {
        replace(state, 'No rebuild has run yet.');
        return;
      }
      bar.max = Math.max(1, latest.total);
      bar.value = latest.applied;
      replace(
        state,
        latest.status === 'swapped'
          ? `Run ${latest.runId}: ${latest.applied} events applied, swapped in at ${latest.swappedAt}.`
          : `Run ${latest.runId}: ${latest.applied} of ${latest.total} events applied…`,
      );
    } catch (error) {
      onError(error as Error);
    }
  };

  start.addEventListener('click', () => {
    void (async () => {
      if (!(await confirmAction('Rebuild the read model from the event store now?'))) return;
      start.disabled = true;
      replace(outcome, 'Rebuilding…');
      const timer = setInterval(() => void refresh(), 300);
      try {
        const result = await postJson<{ outcome: string; applied?: number; reconciledStreams?: number }>(
          '/console/api/rebuild',
          { chunkSize: 500 },
        );
        replace(
          outcome,
          result.outcome === 'swapped'
            ? `Done: rebuilt from ${result.applied} events and swapped in; ${result.reconciledStreams} streams reconciled.`
            : `Interrupted; start it again to resume.`,
        );
      } catch (error) {
        replace(outcome, (error as Error).message);
      } finally {
        clearInterval(timer);
        start.disabled = false;
        await refresh();
      }
    })();
  });
  return refresh;
}
