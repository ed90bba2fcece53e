// The HTML report's pictures: inline SVG, drawn from counts alone (no per-customer element, so a campaign of millions
// draws the same few shapes). Every text is escaped; every count carries data-figure, so that tests find it.
import { escapeHtml } from '../email/escapeHtml';

/** 12,345: the count as the page shows it. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 33.4%, or a dash when there is nothing to divide by. */
export function percent(n: number, of: number): string {
  return of > 0 ? `${((100 * n) / of).toFixed(1)}%` : '–';
}

export interface Bar {
  label: string;
  value: number;
  /** the data-figure name of the count */
  figure: string;
  /** after the count, in grey: a rate ("33.4% of reached") */
  note?: string;
  tone: 'funnel' | 'skip' | 'fail' | 'flow';
}

const BAR_W = 200;
const VALUE_W = 170;
const ROW = 26;
const BAR_H = 18;
/** about the width of a character of the charts' 12 px labels */
const CHAR_W = 6.6;

interface Layout {
  labelW: number;
  barX: number;
  textX: number;
  width: number;
}

/** The labels' column as wide as the longest label, so that none is cut. */
function layout(bars: Bar[]): Layout {
  const labelW = Math.ceil(Math.max(60, ...bars.map((b) => b.label.length * CHAR_W)));
  const barX = labelW + 8;
  const textX = barX + BAR_W + 10;
  return { labelW, barX, textX, width: textX + VALUE_W };
}

function svg(title: string, l: Layout, rows: number, body: string): string {
  const height = rows * ROW + 4;
  return (
    `<svg class="chart" role="img" viewBox="0 0 ${l.width} ${height}" width="${l.width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeHtml(title)}</title>${body}</svg>`
  );
}

function texts(b: Bar, l: Layout, y: number): string {
  const note = b.note ? `<tspan class="rate"> ${escapeHtml(b.note)}</tspan>` : '';
  return (
    `<text x="${l.labelW}" y="${y}" class="label" text-anchor="end">${escapeHtml(b.label)}</text>` +
    `<text x="${l.textX}" y="${y}" class="value"><tspan class="n" data-figure="${escapeHtml(b.figure)}">${count(b.value)}</tspan>${note}</text>`
  );
}

/** A bar's length: `value / scale` of the full width, at least a pixel when not 0; none when the scale is 0. */
function length(value: number, scale: number): number {
  return scale > 0 ? Math.max((BAR_W * Math.min(value, scale)) / scale, value > 0 ? 1 : 0) : 0;
}

/** Bars from the left edge, each `value / scale` of the full width. */
export function barChart(title: string, bars: Bar[], scale: number): string {
  const l = layout(bars);
  const body = bars
    .map((b, i) => {
      const top = i * ROW + 4;
      return (
        `<rect x="${l.barX}" y="${top}" width="${BAR_W}" height="${BAR_H}" class="track"/>` +
        `<rect x="${l.barX}" y="${top}" width="${length(b.value, scale).toFixed(1)}" height="${BAR_H}" class="bar ${b.tone}"/>` +
        texts(b, l, top + 13)
      );
    })
    .join('');
  return svg(title, l, bars.length, body);
}

/** A funnel: bars centred on one axis, the first step full width, each next step `value / first` of it. */
export function funnelChart(title: string, steps: Bar[]): string {
  const l = layout(steps);
  const first = steps[0]?.value ?? 0;
  const body = steps
    .map((s, i) => {
      const top = i * ROW + 4;
      const w = length(s.value, first);
      return `<rect x="${(l.barX + (BAR_W - w) / 2).toFixed(1)}" y="${top}" width="${w.toFixed(1)}" height="${BAR_H}" class="bar ${s.tone}"/>${texts(s, l, top + 13)}`;
    })
    .join('');
  return svg(title, l, steps.length, body);
}
