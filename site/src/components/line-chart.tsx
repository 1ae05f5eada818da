import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line of a chart: its name, its values (one per x), and whether it steps (a level held until it changes). */
export interface ChartSeries {
  readonly label: string;
  readonly values: readonly number[];
  readonly stepped?: boolean;
}

export interface LineChartProps {
  /** The chart's name, its caption. */
  readonly title: string;
  /** The x values' labels (dates, ISO weeks), one per point. */
  readonly labels: readonly string[];
  readonly series: readonly ChartSeries[];
  /** What the y values count, for the text alternative. */
  readonly unit: string;
}

// Distinct by hue and by dash, each at least 3:1 against white (WCAG 1.4.11).
const strokes = ['#1d4ed8', '#b45309', '#15803d'];
const dashes: (number[] | undefined)[] = [undefined, [6, 4], [2, 3]];

/**
 * A line chart (uPlot, loaded only with the pages that chart) with its text alternative: a summary
 * for screen readers on the drawing, and every figure in a table under it. It takes its container's
 * width, so that it fits a phone.
 */
export default function LineChart({ title, labels, series, unit }: LineChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry?.contentRect.width ?? 0)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    const element = box.current;
    if (!element || width === 0) return;
    const xs = labels.map((_, index) => index);
    const plot = new uPlot(
      {
        width,
        height: 240,
        // Room on the right for the last label, centred on its point.
        padding: [8, 32, 0, 0],
        scales: { x: { time: false } },
        axes: [
          // At least 100 px between labels (a date is about 70), whole points only.
          { values: (_, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? (labels[tick] ?? '') : '')), space: 100, stroke: '#4b5563' },
          { stroke: '#4b5563', size: 48 },
        ],
        legend: { live: false },
        cursor: { show: false },
        series: [
          {},
          ...series.map((line, index) => ({
            label: line.label,
            stroke: strokes[index % strokes.length],
            width: 2,
            ...(dashes[index % dashes.length] ? { dash: dashes[index % dashes.length] } : {}),
            ...(line.stepped ? { paths: uPlot.paths.stepped?.({ align: 1 }) } : {}),
          })),
        ],
      },
      [xs, ...series.map((line) => [...line.values])],
      element,
    );
    return () => plot.destroy();
  }, [width, labels, series]);

  const summary = `${title}: ${series
    .map((line) => `${line.label} from ${line.values[0] ?? 0} to ${line.values.at(-1) ?? 0} ${unit}, at most ${Math.max(0, ...line.values)}`)
    .join('; ')}, ${labels[0] ?? ''} to ${labels.at(-1) ?? ''}.`;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={summary} />
      <details>
        <summary>The figures as a table</summary>
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                {series.map((line) => (
                  <th key={line.label} scope="col">
                    {line.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {labels.map((label, index) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  {series.map((line) => (
                    <td key={line.label}>{line.values[index] ?? 0}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
