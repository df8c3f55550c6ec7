/**
 * The last few minutes as time-series charts, drawn with uPlot (small, fast, made for streaming
 * time series: one setData per poll redraws the canvas). Each chart keeps at most WINDOW_SECONDS of
 * points and has a caption with each series' latest and peak values, as text.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { el, replace } from './dom.js';

export const WINDOW_SECONDS = 300;

export interface SeriesSpec {
  label: string;
  stroke: string;
}

export interface TimeChart {
  /** Sets the value of each series at unix second `t` (a later call for the same second replaces it). */
  put(t: number, values: number[]): void;
  redraw(): void;
  readonly element: HTMLElement;
}

export function timeChart(id: string, title: string, unit: string, series: SeriesSpec[]): TimeChart {
  const points = new Map<number, number[]>();
  const caption = el('figcaption', {}, title);
  const plotArea = el('div', { class: 'plot' });
  const element = el('figure', { id, class: 'chart' }, caption, plotArea);
  let plot: uPlot | undefined;

  const data = (): uPlot.AlignedData => {
    const times = [...points.keys()].sort((a, b) => a - b);
    return [times, ...series.map((_, i) => times.map((t) => points.get(t)![i] ?? 0))];
  };

  const ensurePlot = () => {
    if (plot || !plotArea.isConnected) return;
    plot = new uPlot(
      {
        width: Math.max(320, plotArea.clientWidth || 560),
        height: 180,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [{}, { label: unit, size: 50 }],
        series: [
          {},
          ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, points: { show: false } })),
        ],
        legend: { live: false },
      },
      data(),
      plotArea,
    );
    (element as HTMLElement & { chart?: uPlot }).chart = plot;
    new ResizeObserver(() =>
      plot?.setSize({ width: Math.max(320, plotArea.clientWidth), height: 180 }),
    ).observe(plotArea);
  };

  return {
    element,
    put(t, values) {
      points.set(t, values);
      const oldest = t - WINDOW_SECONDS;
      for (const key of points.keys()) if (key < oldest) points.delete(key);
    },
    redraw() {
      ensurePlot();
      const current = data();
      plot?.setData(current);
      const figures = series.map((spec, i) => {
        const values = current[i + 1] as number[];
        const latest = values.length ? values[values.length - 1]! : 0;
        const peak = values.reduce((m, v) => Math.max(m, v), 0);
        return `${spec.label} now ${latest}, peak ${peak}`;
      });
      replace(caption, `${title} (last ${WINDOW_SECONDS / 60} min): ${figures.join('; ')}`);
    },
  };
}
