// The examples' pictures: a few chart shapes built as vega-lite specs and
// rendered to SVG in Node (no browser or canvas needed). Each function returns
// the spec, so it can be tweaked or printed; save() renders it to a file.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** What every example's main() takes. */
export interface ExampleOptions {
  /** Directory to write the plots to (SVG); without it no plot is made. */
  outDir?: string;
  /** Where the example reports (default console.log). */
  print?: (line: string) => void;
}

/** A vega-lite spec, kept loose so the builders below read as the JSON they make. */
export type Spec = Record<string, unknown>;

export interface Axis {
  title: string;
  log?: boolean;
  domain?: [number, number];
}

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  x: Axis;
  y: Axis;
  /** Drawn as lines, one colour per series. */
  lines?: Series[];
  /** Drawn as dots, one colour per series. */
  points?: Series[];
  /** One point ringed and labelled, e.g. the best trial. */
  highlight?: { x: number; y: number; label: string };
  width?: number;
  height?: number;
}

/** Lines and dots of several named series on one pair of axes, with a legend. */
export function chart({ title, x, y, lines = [], points = [], highlight, width = 460, height = 300 }: ChartOptions): Spec {
  const names = [...lines, ...points].map((s) => s.name);
  // One colour scale for every layer, so a name has the same colour everywhere.
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: names } };
  const xy = { x: channel('x', x), y: channel('y', y) };
  const layer: Spec[] = [];
  // Dots first, so the lines stay visible on top of them.
  if (points.length) {
    layer.push({
      data: { values: rows(points) },
      mark: { type: 'point', filled: true, size: 24, opacity: 0.55, clip: true },
      encoding: { ...xy, color },
    });
  }
  for (const dashed of [false, true]) {
    const group = lines.filter((s) => !!s.dashed === dashed);
    if (!group.length) continue;
    layer.push({
      data: { values: rows(group) },
      mark: { type: 'line', clip: true, strokeWidth: 2, ...(dashed ? { strokeDash: [6, 4] } : {}) },
      encoding: { ...xy, color, order: { field: 'i' } },
    });
  }
  if (highlight) {
    layer.push({
      data: { values: [highlight] },
      layer: [
        { mark: { type: 'point', size: 260, strokeWidth: 2.5, color: '#d62728' } },
        { mark: { type: 'text', dy: -16, fontWeight: 'bold', color: '#d62728' }, encoding: { text: { field: 'label' } } },
      ],
      encoding: xy,
    });
  }
  return { title, width, height, layer };
}

export interface PanelsOptions {
  title: string;
  panels: { name: string; series: Series[] }[];
  x: Axis;
  columns?: number;
}

/** Small multiples: one panel per entry, each with its own y range, sharing x and colours. */
export function panels({ title, panels: list, x, columns = 3 }: PanelsOptions): Spec {
  const values = list.flatMap((p) => rows(p.series).map((r) => ({ ...r, panel: p.name })));
  return {
    title,
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: list.map((p) => p.name) },
    columns,
    spec: {
      width: 200, height: 140,
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: channel('x', x), y: { field: 'y', type: 'quantitative', title: null }, order: { field: 'i' },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: list[0].series.map((s) => s.name) } },
      },
    },
    // Every panel keeps its own y range (relu reaches 4, sigmoid 1) and shows its own z axis.
    resolve: { scale: { y: 'independent' }, axis: { x: 'independent' } },
  };
}

/** A rectangle of the plane given one class: see decisionRegions. */
export interface Region { x: number; x2: number; y: number; y2: number; label: number }

/**
 * The plane cut into steps × steps cells, each coloured by the class
 * `classify` gives its centre. classify gets every centre at once (one
 * predict call). Neighbouring cells of a row with the same class are merged
 * into one rectangle, which keeps the SVG small.
 */
export function decisionRegions(
  classify: (points: number[][]) => ArrayLike<number>,
  [x0, x1]: [number, number], [y0, y1]: [number, number], steps = 120,
): Region[] {
  const dx = (x1 - x0) / steps, dy = (y1 - y0) / steps;
  const centres: number[][] = [];
  for (let r = 0; r < steps; r++) for (let c = 0; c < steps; c++) centres.push([x0 + (c + 0.5) * dx, y0 + (r + 0.5) * dy]);
  const labels = classify(centres);
  const regions: Region[] = [];
  for (let r = 0; r < steps; r++) {
    for (let c = 0; c < steps;) {
      const label = labels[r * steps + c];
      let end = c + 1;
      while (end < steps && labels[r * steps + end] === label) end++;
      regions.push({ x: x0 + c * dx, x2: x0 + end * dx, y: y0 + r * dy, y2: y0 + (r + 1) * dy, label });
      c = end;
    }
  }
  return regions;
}

export interface RegionChartOptions {
  title: string;
  x: Axis;
  y: Axis;
  /** Class names, by class index. */
  classes: readonly string[];
  regions: Region[];
  /** Data points with their true class index. */
  points: { x: number; y: number; label: number }[];
}

/** The classes a model assigns to the plane, pale, with the data points on top in the same colours. */
export function regionChart({ title, x, y, classes, regions, points }: RegionChartOptions): Spec {
  const named = <T extends { label: number }>(list: T[]) => list.map(({ label, ...rest }) => ({ ...rest, class: classes[label] }));
  const colors = PALETTE.slice(0, classes.length);
  const domain = (a: Axis, lo: number, hi: number) => ({ ...a, domain: a.domain ?? [lo, hi] });
  const xs = regions.flatMap((r) => [r.x, r.x2]), ys = regions.flatMap((r) => [r.y, r.y2]);
  const xAxis = domain(x, Math.min(...xs), Math.max(...xs)), yAxis = domain(y, Math.min(...ys), Math.max(...ys));
  // Each row of cells reaches a little into the next: opaque neighbours then
  // leave no hairline seams where antialiasing would let the white through.
  const overlap = regions.map((r) => ({ ...r, y2: r.y2 + (r.y2 - r.y) * 0.3 }));
  return {
    title, width: 400, height: 400,
    layer: [
      {
        data: { values: named(overlap) },
        mark: { type: 'rect', clip: true },
        encoding: {
          x: channel('x', xAxis), x2: { field: 'x2' }, y: channel('y', yAxis), y2: { field: 'y2' },
          color: { field: 'class', type: 'nominal', legend: null, scale: { domain: [...classes], range: colors.map((c) => mix(c, 0.22)) } },
        },
      },
      {
        data: { values: named(points) },
        mark: { type: 'point', filled: true, size: 30, stroke: 'white', strokeWidth: 0.6, opacity: 0.9 },
        encoding: {
          x: channel('x', xAxis), y: channel('y', yAxis),
          color: { field: 'class', type: 'nominal', title: 'class', scale: { domain: [...classes], range: colors } },
          shape: { field: 'class', type: 'nominal', scale: { domain: [...classes] } },
        },
      },
    ],
    // Pale colours for the regions and strong ones for the points: two scales of one field,
    // and the points' colour and shape in one legend.
    resolve: { scale: { color: 'independent', shape: 'independent' } },
  };
}

/** vega's default category colours (tableau10), spelled out so regions can use paler versions. */
const PALETTE = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

/** The colour `share` of the way from white to `hex`. */
function mix(hex: string, share: number): string {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `#${c.map((v) => Math.round(255 - share * (255 - v)).toString(16).padStart(2, '0')).join('')}`;
}

/** [min, max] of the values, widened by `share` of the range on each side. */
export function padded(values: number[], share = 0.08): [number, number] {
  const lo = Math.min(...values), hi = Math.max(...values);
  return [lo - share * (hi - lo), hi + share * (hi - lo)];
}

/** Charts next to each other under one title. */
export function sideBySide(title: string, charts: Spec[]): Spec {
  return { title, hconcat: charts, resolve: { scale: { color: 'shared' } } };
}

/** Renders a spec to `outDir/name.svg` and returns the path; does nothing without an outDir. */
export async function save(outDir: string | undefined, name: string, spec: Spec): Promise<string | undefined> {
  if (!outDir) return undefined;
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG, ...spec } as TopLevelSpec;
  // Quiet: vega-lite notes how it merged legends, which is what we want.
  const view = new vega.View(vega.parse(compile(full, { logger: vega.logger(vega.Error) }).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}.svg`);
  writeFileSync(file, shorten(svg));
  return file;
}

// A white background (readable on dark pages too), plain fonts, and no aria labels:
// they describe every mark in words and would triple the file size.
const CONFIG = {
  aria: false,
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 15, anchor: 'start', offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 12, labelLimit: 320 },
  header: { labelFontSize: 13 },
};

/** Coordinates to 0.1 px inside path data and transforms (not in text): smaller files, the same picture. */
function shorten(svg: string): string {
  return svg.replace(/ (d|transform)="([^"]*)"/g, (_, attr: string, value: string) =>
    ` ${attr}="${value.replace(/(\d+\.\d)\d+/g, '$1')}"`);
}

function channel(field: 'x' | 'y', a: Axis): Spec {
  return {
    field, type: 'quantitative', title: a.title,
    scale: { type: a.log ? 'log' : 'linear', zero: false, ...(a.domain ? { domain: a.domain, nice: false } : {}) },
  };
}

/** Long-format rows { series, i, x, y } for vega-lite, skipping points that cannot be drawn. */
function rows(series: Series[]): Spec[] {
  return series.flatMap((s) =>
    Array.from({ length: s.x.length }, (_, i) => ({ series: s.name, i, x: s.x[i], y: s.y[i] }))
      .filter((r) => Number.isFinite(r.x) && Number.isFinite(r.y)));
}
