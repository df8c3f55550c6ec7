/** Events parked behind a gap in their stream, oldest first, with how long each has waited. */
import { getJson } from './api.js';
import { ageText, el, replace, table } from './dom.js';
import type { ParkedEvent } from './types.js';

export function mountParked(section: HTMLElement, onError: (error: Error) => void): () => Promise<void> {
  const list = el('div', { id: 'parked-list' });
  const refreshButton = el('button', { type: 'button' }, 'Refresh');
  replace(
    section,
    el('h2', {}, 'Parked events'),
    el('p', { class: 'note' }, 'An event waits here until the version before it arrives.'),
    refreshButton,
    list,
  );
  const refresh = async () => {
    try {
      const { items } = await getJson<{ items: ParkedEvent[] }>('/console/api/parked');
      replace(
        list,
        items.length
          ? table(
              ['stream', 'version', 'type', 'parked at', 'waiting', 'needs'],
              items.map((p) => [
                p.streamId,
                p.version,
                p.type,
                p.parkedAt,
                ageText(p.ageMs),
                `v${p.version - 1} first`,
              ]),
              { id: 'parked-table' },
            )
          : el('p', { class: 'note' }, 'No parked events.'),
      );
    } catch (error) {
      onError(error as Error);
    }
  };
  refreshButton.addEventListener('click', () => void refresh());
  return refresh;
}
