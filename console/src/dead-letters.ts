/**
 * Dead letters: the list, one letter's reason and raw record, and redrive or drop after a
 * confirmation, through the same dead-letter store `npm run dlq` uses.
 */
import { getJson, postJson } from './api.js';
import { confirmAction, el, fields, replace, table } from './dom.js';
import type { DeadLetterDetail, DeadLetterSummary } from './types.js';

export function mountDeadLetters(section: HTMLElement, onError: (error: Error) => void): () => Promise<void> {
  const list = el('div', { id: 'dead-letter-list' });
  const detail = el('div', { id: 'dead-letter-detail' });
  const message = el('p', { id: 'dead-letter-message', role: 'status' });
  const refreshButton = el('button', { type: 'button' }, 'Refresh');
  replace(section, el('h2', {}, 'Dead letters'), refreshButton, message, list, detail);

  const refresh = async () => {
    try {
      const { items } = await getJson<{ items: DeadLetterSummary[] }>('/console/api/dead-letters');
      replace(
        list,
        items.length
          ? table(
              ['id', 'recorded', 'record', 'reason code', 'reason', ''],
              items.map((d) => {
                const open = el('button', { type: 'button', 'data-id': String(d.id) }, 'Show');
                open.addEventListener('click', () => void show(d.id));
                return [
                  d.id,
                  d.createdAt,
                  `${d.topic}[${d.partition}]@${d.offset}`,
                  d.reasonCode,
                  d.reason,
                  open,
                ];
              }),
              { id: 'dead-letters-table' },
            )
          : el('p', { class: 'note' }, 'No dead letters.'),
      );
    } catch (error) {
      onError(error as Error);
    }
  };

  const act = async (id: number, action: 'redrive' | 'drop') => {
    const question =
      action === 'drop'
        ? `Drop dead letter ${id}? Its record is deleted for good and never reaches the read model.`
        : `Redrive dead letter ${id}? Its record is applied to the read model again.`;
    if (!(await confirmAction(question))) return;
    try {
      const result = await postJson<{ outcome?: string; reasonCode?: string; reason?: string }>(
        `/console/api/dead-letters/${id}/${action}`,
      );
      replace(detail);
      await refresh();
      replace(
        message,
        action === 'drop'
          ? `Dead letter ${id} dropped.`
          : result.outcome === 'still-failing'
            ? `Dead letter ${id} still fails (${result.reasonCode}): ${result.reason}`
            : `Dead letter ${id} redriven: ${result.outcome}.`,
      );
    } catch (error) {
      replace(message, (error as Error).message);
    }
  };

  const show = async (id: number) => {
    try {
      const d = await getJson<DeadLetterDetail>(`/console/api/dead-letters/${id}`);
      const redrive = el('button', { type: 'button', id: 'redrive' }, 'Redrive…');
      const drop = el('button', { type: 'button', id: 'drop', class: 'danger' }, 'Drop…');
      redrive.addEventListener('click', () => void act(id, 'redrive'));
      drop.addEventListener('click', () => void act(id, 'drop'));
      replace(
        detail,
        el('h3', {}, `Dead letter ${d.id}`),
        fields([
          ['reason code', d.reasonCode],
          ['reason', d.reason],
          ['topic', d.topic],
          ['partition', String(d.partition)],
          ['offset', d.offset],
          ['recorded', d.createdAt],
          ['redriven', d.redrivenAt ?? '—'],
          ['key', d.key ?? '(none)'],
          ['headers', JSON.stringify(d.headers)],
        ]),
        el('h4', {}, 'Raw record (value as UTF-8)'),
        el('pre', { id: 'dead-letter-value' }, d.value ?? '(no value)'),
        el('div', { class: 'actions' }, redrive, drop),
      );
    } catch (error) {
      replace(detail, el('p', { class: 'error' }, (error as Error).message));
    }
  };

  refreshButton.addEventListener('click', () => void refresh());
  return refresh;
}
