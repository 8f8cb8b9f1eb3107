// The playground's whole configuration, and its round trip through the URL
// hash (#dataset=circle&layers=4,2&…), so a link reproduces a setup: with the
// same seed, the same data, the same initial weights and the same training.
// Anything missing or unreadable in a hash falls back to its default.

import { ACTIVATIONS } from 'nnwasm';

export const DATASETS = ['circle', 'xor', 'gauss', 'spiral', 'plane', 'multigauss', 'blobs', 'csv'] as const;
export type DatasetName = (typeof DATASETS)[number];

export const FEATURES = ['x', 'y', 'xy', 'x2', 'y2', 'sinx', 'siny', 'cosx', 'cosy'] as const;
export type FeatureName = (typeof FEATURES)[number];

/** Hidden layers use any activation but softmax, which the multiclass output layer uses. */
export const HIDDEN_ACTIVATIONS = ACTIVATIONS.filter((a) => a !== 'softmax');
export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'adam'] as const;
export const SCHEDULES = ['constant', 'exponential', 'step'] as const;
export const REGULARIZATIONS = ['none', 'l1', 'l2'] as const;
export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10] as const;
export const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10] as const;
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 8;

export interface Config {
  dataset: DatasetName;
  /** Classes of the multiclass 'blobs' set, 3 to 5. */
  classes: number;
  features: FeatureName[];
  /** Neurons of each hidden layer, 0 to 6 layers of 1 to 8. */
  layers: number[];
  activation: string;
  optimizer: (typeof OPTIMIZER_NAMES)[number];
  learningRate: number;
  schedule: (typeof SCHEDULES)[number];
  regularization: (typeof REGULARIZATIONS)[number];
  regRate: number;
  batchSize: number;
  /** Noise, 0 to 50 (%) in steps of 5, as TF Playground. */
  noise: number;
  /** Percent of the points used for training, 10 to 90 in steps of 10. */
  trainRatio: number;
  earlyStopping: boolean;
  /** Play stops after this many epochs. */
  maxEpochs: number;
  seed: number;
}

export const DEFAULTS: Config = {
  dataset: 'circle', classes: 3, features: ['x', 'y'], layers: [4, 2], activation: 'tanh', optimizer: 'sgd',
  learningRate: 0.03, schedule: 'constant', regularization: 'none', regRate: 0, batchSize: 10, noise: 0,
  trainRatio: 50, earlyStopping: false, maxEpochs: 1000, seed: 1,
};

const oneOf = <T extends string>(list: readonly T[], v: string | null, d: T): T => (list.includes(v as T) ? (v as T) : d);
function int(v: string | null, lo: number, hi: number, d: number): number {
  const n = Number(v);
  return v !== null && v !== '' && Number.isInteger(n) && n >= lo && n <= hi ? n : d;
}
/** A whole number in [lo, hi] on the slider's steps (a multiple of `step`). */
function stepped(v: string | null, lo: number, hi: number, step: number, d: number): number {
  const n = int(v, lo, hi, d);
  return Math.round(n / step) * step;
}
function num(v: string | null, list: readonly number[], d: number): number {
  const n = Number(v);
  return v !== null && list.includes(n) ? n : d;
}

/** The configuration a hash describes (without the '#'), defaults for what it leaves out. */
export function fromHash(hash: string): Config {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const d = DEFAULTS;
  const features = (p.get('features') ?? '').split(',').filter((f): f is FeatureName => FEATURES.includes(f as FeatureName));
  const layersText = p.get('layers');
  const layers = layersText === null ? d.layers
    : layersText === '' ? [] : layersText.split(',').slice(0, MAX_LAYERS).map((n) => int(n, 1, MAX_NEURONS, 4));
  return {
    dataset: oneOf(DATASETS, p.get('dataset'), d.dataset),
    classes: int(p.get('classes'), 3, 5, d.classes),
    features: p.has('features') && features.length ? [...new Set(features)] : d.features,
    layers,
    activation: oneOf(HIDDEN_ACTIVATIONS, p.get('activation'), d.activation),
    optimizer: oneOf(OPTIMIZER_NAMES, p.get('optimizer'), d.optimizer),
    learningRate: num(p.get('learningRate'), LEARNING_RATES, d.learningRate),
    schedule: oneOf(SCHEDULES, p.get('schedule'), d.schedule),
    regularization: oneOf(REGULARIZATIONS, p.get('regularization'), d.regularization),
    regRate: num(p.get('regRate'), REG_RATES, d.regRate),
    batchSize: int(p.get('batchSize'), 1, 30, d.batchSize),
    noise: stepped(p.get('noise'), 0, 50, 5, d.noise),
    trainRatio: stepped(p.get('trainRatio'), 10, 90, 10, d.trainRatio),
    earlyStopping: p.has('earlyStopping') ? p.get('earlyStopping') === 'true' : d.earlyStopping,
    maxEpochs: int(p.get('maxEpochs'), 1, 100_000, d.maxEpochs),
    seed: int(p.get('seed'), 0, 2 ** 31 - 1, d.seed),
  };
}

/** The hash for a configuration: every field, so a link keeps meaning the same if the defaults change. */
export function toHash(c: Config): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(c)) p.set(k, Array.isArray(v) ? v.join(',') : String(v));
  return `#${p.toString().replaceAll('%2C', ',')}`;
}
