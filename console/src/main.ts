/** The console page: tabs for the pipeline, a stream, dead letters, parked events and the rebuild. */
import { mountDeadLetters } from './dead-letters.js';
import { replace } from './dom.js';
import { mountParked } from './parked.js';
import { mountPipeline } from './pipeline.js';
import { mountRebuild } from './rebuild.js';
import { mountStream } from './stream.js';
import './style.css';

const section = (id: string) => document.getElementById(id) as HTMLElement;
const status = document.getElementById('status')!;
let cleared: ReturnType<typeof setTimeout> | undefined;
const onError = (error: Error) => {
  replace(status, error.message);
  status.className = 'error';
  clearTimeout(cleared);
  cleared = setTimeout(() => replace(status), 5000);
};

mountPipeline(section('pipeline'), onError);
mountStream(section('stream'), onError);
const refreshers: Record<string, () => Promise<void>> = {
  'dead-letters': mountDeadLetters(section('dead-letters'), onError),
  parked: mountParked(section('parked'), onError),
  rebuild: mountRebuild(section('rebuild'), onError),
};

function showTab() {
  const wanted = location.hash.slice(1) || 'pipeline';
  for (const tab of document.querySelectorAll<HTMLElement>('[data-tab]')) tab.hidden = tab.id !== wanted;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('#tabs a'))
    link.classList.toggle('active', link.hash === `#${wanted}`);
  // The pipeline's charts size themselves to their visible width.
  window.dispatchEvent(new Event('resize'));
  void refreshers[wanted]?.();
}
window.addEventListener('hashchange', showTab);
showTab();
