// The data sets, as TF Playground draws them (points in [-6, 6]², noise in
// percent), plus 'blobs', 3 to 5 gaussian classes around a circle, for
// softmax. One seeded generator makes the points, the noise and the
// train/test split, so a seed in the URL gives the same data everywhere.

import type { Config, DatasetName } from './state';

const POINTS = 500;
export const RADIUS = 6;

export interface Points {
  /** x, y pairs. */
  xy: Float32Array;
  /** A class index (0, 1…) or, for regression, a number in [-1, 1]. */
  label: Float32Array;
}
export interface Dataset {
  train: Points;
  test: Points;
  /** Output classes (2 and up), or 0 for regression. */
  classes: number;
}

/** mulberry32: small, fast and seedable; Math.random is neither of the last two. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const normal = (rnd: () => number, mean = 0, sd = 1) =>
  mean + sd * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
const uniform = (rnd: () => number, a: number, b: number) => a + (b - a) * rnd();

type Generate = (rnd: () => number, noise: number, classes: number) => [number, number, number][];

function circle(rnd: () => number, noise: number): [number, number, number][] {
  const r = 5;
  const ring = (lo: number, hi: number) => {
    const rr = uniform(rnd, lo, hi), a = uniform(rnd, 0, 2 * Math.PI);
    const x = rr * Math.sin(a) + uniform(rnd, -r, r) * noise, y = rr * Math.cos(a) + uniform(rnd, -r, r) * noise;
    // The label is the side of the boundary the noisy point fell on, as TF Playground does.
    return [x, y, Math.hypot(x, y) < r * 0.5 ? 1 : 0] as [number, number, number];
  };
  return [...Array.from({ length: POINTS / 2 }, () => ring(0, r * 0.5)), ...Array.from({ length: POINTS / 2 }, () => ring(r * 0.7, r))];
}

function xor(rnd: () => number, noise: number): [number, number, number][] {
  return Array.from({ length: POINTS }, () => {
    const pad = 0.3, x0 = uniform(rnd, -5, 5), y0 = uniform(rnd, -5, 5);
    const x = x0 + (x0 > 0 ? pad : -pad) + uniform(rnd, -5, 5) * noise, y = y0 + (y0 > 0 ? pad : -pad) + uniform(rnd, -5, 5) * noise;
    return [x, y, x * y >= 0 ? 1 : 0];
  });
}

function blobs(rnd: () => number, noise: number, classes: number): [number, number, number][] {
  const sd = 0.5 + noise * 3.5;
  return Array.from({ length: POINTS }, (_, i) => {
    const k = i % classes, a = (2 * Math.PI * k) / classes + (classes === 2 ? Math.PI / 4 : Math.PI / 2);
    return [normal(rnd, 3 * Math.cos(a), sd), normal(rnd, 3 * Math.sin(a), sd), k];
  });
}

function spiral(rnd: () => number, noise: number): [number, number, number][] {
  const n = POINTS / 2;
  const arm = (delta: number, label: number) => Array.from({ length: n }, (_, i) => {
    const r = (i / n) * 5, t = (1.75 * i / n) * 2 * Math.PI + delta;
    return [r * Math.sin(t) + uniform(rnd, -1, 1) * noise, r * Math.cos(t) + uniform(rnd, -1, 1) * noise, label] as [number, number, number];
  });
  return [...arm(0, 1), ...arm(Math.PI, 0)];
}

function plane(rnd: () => number, noise: number): [number, number, number][] {
  return Array.from({ length: POINTS }, () => {
    const x = uniform(rnd, -RADIUS, RADIUS), y = uniform(rnd, -RADIUS, RADIUS);
    return [x + uniform(rnd, -RADIUS, RADIUS) * noise, y + uniform(rnd, -RADIUS, RADIUS) * noise, (x + y) / (2 * RADIUS)];
  });
}

const BUMPS: [number, number, number][] = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
function multigauss(rnd: () => number, noise: number): [number, number, number][] {
  return Array.from({ length: POINTS }, () => {
    const x = uniform(rnd, -RADIUS, RADIUS), y = uniform(rnd, -RADIUS, RADIUS);
    let v = 0;
    for (const [cx, cy, sign] of BUMPS) v += sign * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 2);
    return [x + uniform(rnd, -RADIUS, RADIUS) * noise, y + uniform(rnd, -RADIUS, RADIUS) * noise, Math.max(-1, Math.min(1, v))];
  });
}

const GENERATORS: Record<Exclude<DatasetName, 'csv'>, Generate> = {
  circle, xor, gauss: (rnd, noise) => blobs(rnd, noise, 2), spiral, plane, multigauss, blobs,
};

/** Fisher–Yates with the data set's generator: the split is part of what the seed fixes. */
function shuffle<T>(items: T[], rnd: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function pack(rows: [number, number, number][]): Points {
  const xy = new Float32Array(rows.length * 2), label = new Float32Array(rows.length);
  rows.forEach(([x, y, l], i) => {
    xy[2 * i] = x;
    xy[2 * i + 1] = y;
    label[i] = l;
  });
  return { xy, label };
}

/** Splits rows by the configured ratio, after a seeded shuffle. */
export function split(rows: [number, number, number][], config: Config, classes: number): Dataset {
  const shuffled = shuffle(rows.slice(), random(config.seed ^ 0x5eed));
  const cut = Math.max(1, Math.min(rows.length - 1, Math.round((rows.length * config.trainRatio) / 100)));
  return { train: pack(shuffled.slice(0, cut)), test: pack(shuffled.slice(cut)), classes };
}

/** The configured data set (not 'csv': csv-drop.ts makes those rows). */
export function makeDataset(config: Config): Dataset {
  if (config.dataset === 'csv') throw new Error('makeDataset: a CSV data set comes from a dropped file');
  const classes = config.dataset === 'blobs' ? config.classes : config.dataset === 'plane' || config.dataset === 'multigauss' ? 0 : 2;
  const rows = GENERATORS[config.dataset](random(config.seed), config.noise / 100, config.classes);
  return split(rows, config, classes);
}
