import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from '../../lib/charts.ts';

/** One line of a chart: its legend label, a CSS variable for its colour, and how its values read. */
export interface ChartLine {
  label: string;
  /** A CSS custom property of styles.css (`--accent`), read when the chart is made. */
  colorVar: string;
  fallback: string;
  dash?: number[];
  /** Draw a dot on every point (for lines with gaps, where a lone point has no segment). */
  points?: boolean;
}

export interface ChartAxis {
  /** The y axis' title ("Pending runs", "Lateness"); the x axis is time of day in the browser's zone. */
  label: string;
  /** A y value as a tick and in the legend, unit included ("12 ms"). */
  format: (value: number) => string;
  /** The top of the y scale when every value is below it (a flat line at 0 sits at the bottom). */
  minTop: number;
  /** Tick steps to choose from (whole numbers for counts); uPlot's own when absent. */
  incrs?: number[];
}

const HEIGHT = 168;

function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
/** Steps of the time axis, in seconds. */
const MINUTE_STEPS = [60, 120, 300, 600, 900, 1800, 3600];

/**
 * A small time-series chart drawn by uPlot on a canvas: it fills its container's width (and
 * follows it), gets new data without being rebuilt, and shows the values under the pointer in its
 * legend. The canvas says nothing to a screen reader: the caller gives the chart a summary
 * (`summary`, the figure's accessible name, re-said when the data changes).
 */
export function TimeChart({ data, lines, axis, summary }: { data: ChartData; lines: readonly ChartLine[]; axis: ChartAxis; summary: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);

  useEffect(() => {
    latest.current = data;
    plot.current?.setData(data);
  }, [data]);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const muted = cssColor('--text-muted', '#6b7280');
    const grid = cssColor('--grey-150', '#e9ecef');
    const font = cssColor('--font', 'system-ui, sans-serif');
    const axisStyle = {
      stroke: muted,
      font: `11px ${font}`,
      labelFont: `500 11px ${font}`,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1, size: 4 },
    };
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 120),
      height: HEIGHT,
      // Room on the right for the last time label, which is centred on the plot's edge.
      padding: [8, 28, 0, 0],
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
      legend: { show: true, live: true },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, Math.max(axis.minTop, Number.isFinite(max) ? max * 1.15 : axis.minTop)] },
      },
      axes: [
        {
          ...axisStyle,
          size: 30,
          space: 64,
          // Whole minutes only: the labels have no seconds, so finer steps would repeat them.
          incrs: MINUTE_STEPS,
          values: (_u, splits) => splits.map((s) => timeOfDay.format(new Date(s * 1000))),
        },
        {
          ...axisStyle,
          label: axis.label,
          labelSize: 18,
          labelGap: 2,
          space: 28,
          ...(axis.incrs ? { incrs: axis.incrs } : {}),
          values: (_u, splits) => splits.map((s) => axis.format(s)),
          size: (_u, values) => (values ? Math.max(...values.map((v) => v.length), 1) * 6.5 + 14 : 40),
        },
      ],
      series: [
        { label: 'Time', value: (_u, v) => (v === null ? '–' : timeOfDay.format(new Date(v * 1000))) },
        ...lines.map((line) => ({
          label: line.label,
          stroke: cssColor(line.colorVar, line.fallback),
          width: 2,
          ...(line.dash ? { dash: line.dash } : {}),
          ...(line.points ? { points: { show: true, size: 5 } } : {}),
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : axis.format(v)),
        })),
      ],
    };
    const chart = new uPlot(options, latest.current as uPlot.AlignedData, element);
    plot.current = chart;
    const observer = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 120);
      if (width !== chart.width) chart.setSize({ width, height: HEIGHT });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [lines, axis]);

  return <div ref={box} className="time-chart" role="img" aria-label={summary} />;
}
