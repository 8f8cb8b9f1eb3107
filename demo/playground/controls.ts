// The control panel: a labelled native form control for every setting (so
// keyboard, screen readers and the tests all read the same thing), written
// from a Config and read back into one on every change.

import { FEATURE_LABELS } from './features';
import {
  DATASETS, FEATURES, HIDDEN_ACTIVATIONS, LEARNING_RATES, MAX_LAYERS, MAX_NEURONS, OPTIMIZER_NAMES, REG_RATES,
  REGULARIZATIONS, SCHEDULES, type Config, type FeatureName,
} from './state';

const DATASET_LABELS: Record<string, string> = {
  circle: 'circle', xor: 'exclusive or', gauss: 'two gaussians', spiral: 'spiral', plane: 'regression: plane',
  multigauss: 'regression: gaussian bumps', blobs: 'multiclass: blobs', csv: 'your CSV (drop a file)',
};

type Field = HTMLInputElement | HTMLSelectElement;

function select(id: string, options: readonly (string | number)[], names: Record<string, string> = {}): HTMLSelectElement {
  const s = document.createElement('select');
  s.id = id;
  for (const o of options) s.append(new Option(names[String(o)] ?? String(o), String(o)));
  return s;
}
function input(id: string, type: string, attrs: Record<string, string | number> = {}): HTMLInputElement {
  const i = document.createElement('input');
  i.id = id;
  i.type = type;
  for (const [k, v] of Object.entries(attrs)) i.setAttribute(k, String(v));
  return i;
}
function labelled(text: string, field: Field, hint?: string): HTMLElement {
  const label = document.createElement('label');
  label.className = 'field';
  label.htmlFor = field.id;
  label.append(text, ' ', field);
  if (hint) {
    const out = document.createElement('output');
    out.htmlFor.add(field.id);
    out.id = `${field.id}-value`;
    label.append(out);
  }
  return label;
}
function fieldset(legend: string, ...children: HTMLElement[]): HTMLFieldSetElement {
  const f = document.createElement('fieldset');
  const l = document.createElement('legend');
  l.textContent = legend;
  f.append(l, ...children);
  return f;
}

export interface Controls {
  /** Shows a configuration in the form. */
  write(config: Config): void;
  /** Whether the CSV option is offered (after a file was dropped). */
  offerCsv(available: boolean): void;
}

export function createControls(root: HTMLElement, onChange: (config: Config) => void, current: () => Config): Controls {
  const f = {
    dataset: select('dataset', DATASETS, DATASET_LABELS),
    classes: input('classes', 'number', { min: 3, max: 5, step: 1 }),
    noise: input('noise', 'range', { min: 0, max: 50, step: 5 }),
    trainRatio: input('trainRatio', 'range', { min: 10, max: 90, step: 10 }),
    seed: input('seed', 'number', { min: 0, max: 2 ** 31 - 1, step: 1 }),
    depth: input('depth', 'number', { min: 0, max: MAX_LAYERS, step: 1 }),
    activation: select('activation', HIDDEN_ACTIVATIONS),
    optimizer: select('optimizer', OPTIMIZER_NAMES, { sgd: 'SGD', momentum: 'SGD with momentum 0.9', adam: 'Adam' }),
    learningRate: select('learningRate', LEARNING_RATES),
    schedule: select('schedule', SCHEDULES, { constant: 'constant', exponential: 'exponential decay (×0.5 per 2 000 steps)', step: 'step decay (×0.5 per 100 epochs)' }),
    batchSize: input('batchSize', 'range', { min: 1, max: 30, step: 1 }),
    regularization: select('regularization', REGULARIZATIONS, { none: 'none', l1: 'L1', l2: 'L2' }),
    regRate: select('regRate', REG_RATES),
    earlyStopping: input('earlyStopping', 'checkbox'),
    maxEpochs: input('maxEpochs', 'number', { min: 1, max: 100_000, step: 1 }),
  };
  const features = Object.fromEntries(FEATURES.map((name) => [name, input(`feature-${name}`, 'checkbox')])) as Record<FeatureName, HTMLInputElement>;
  const layerBox = document.createElement('div');
  layerBox.className = 'layer-sizes';
  let layerFields: HTMLInputElement[] = [];
  const csvOption = f.dataset.querySelector<HTMLOptionElement>('option[value="csv"]')!;

  const featureBox = document.createElement('div');
  featureBox.className = 'features';
  for (const name of FEATURES) featureBox.append(labelled(FEATURE_LABELS[name], features[name]));

  root.append(
    fieldset('Data', labelled('Data set', f.dataset), labelled('Classes', f.classes), labelled('Noise (%)', f.noise, 'value'),
      labelled('Training data (%)', f.trainRatio, 'value'), labelled('Seed', f.seed)),
    fieldset('Features', featureBox),
    fieldset('Network', labelled('Hidden layers', f.depth), layerBox, labelled('Activation', f.activation)),
    fieldset('Training', labelled('Optimizer', f.optimizer), labelled('Learning rate', f.learningRate),
      labelled('Schedule', f.schedule), labelled('Batch size', f.batchSize, 'value'), labelled('Regularization', f.regularization),
      labelled('Regularization rate', f.regRate), labelled('Early stopping (test loss, patience 50)', f.earlyStopping),
      labelled('Stop after epochs', f.maxEpochs)),
  );

  const layersFor = (sizes: number[]) => {
    layerFields = sizes.map((n, i) => {
      const field = input(`layer-${i + 1}`, 'number', { min: 1, max: MAX_NEURONS, step: 1 });
      field.value = String(n);
      return field;
    });
    layerBox.replaceChildren(...layerFields.map((field, i) => labelled(`Neurons in hidden layer ${i + 1}`, field)));
  };

  const clampInt = (v: string, lo: number, hi: number, d: number) => {
    const n = Math.round(Number(v));
    return Number.isFinite(n) && v !== '' ? Math.max(lo, Math.min(hi, n)) : d;
  };
  const read = (): Config => {
    const was = current();
    const depth = clampInt(f.depth.value, 0, MAX_LAYERS, was.layers.length);
    const layers = Array.from({ length: depth }, (_, i) => clampInt(layerFields[i]?.value ?? '', 1, MAX_NEURONS, was.layers[i] ?? 4));
    const chosen = FEATURES.filter((n) => features[n].checked);
    return {
      dataset: f.dataset.value as Config['dataset'],
      classes: clampInt(f.classes.value, 3, 5, was.classes),
      features: chosen.length ? chosen : was.features,
      layers,
      activation: f.activation.value,
      optimizer: f.optimizer.value as Config['optimizer'],
      learningRate: Number(f.learningRate.value),
      schedule: f.schedule.value as Config['schedule'],
      regularization: f.regularization.value as Config['regularization'],
      regRate: Number(f.regRate.value),
      batchSize: clampInt(f.batchSize.value, 1, 30, was.batchSize),
      noise: clampInt(f.noise.value, 0, 50, was.noise),
      trainRatio: clampInt(f.trainRatio.value, 10, 90, was.trainRatio),
      earlyStopping: f.earlyStopping.checked,
      maxEpochs: clampInt(f.maxEpochs.value, 1, 100_000, was.maxEpochs),
      seed: clampInt(f.seed.value, 0, 2 ** 31 - 1, was.seed),
    };
  };
  const controls: Controls = {
    write(c) {
      for (const key of ['dataset', 'activation', 'optimizer', 'schedule', 'regularization'] as const) f[key].value = c[key];
      for (const key of ['classes', 'noise', 'trainRatio', 'seed', 'learningRate', 'regRate', 'batchSize', 'maxEpochs'] as const) f[key].value = String(c[key]);
      f.depth.value = String(c.layers.length);
      f.earlyStopping.checked = c.earlyStopping;
      for (const n of FEATURES) features[n].checked = c.features.includes(n);
      if (layerFields.length !== c.layers.length || layerFields.some((field, i) => field.value !== String(c.layers[i]))) layersFor(c.layers);
      f.classes.closest('label')!.hidden = c.dataset !== 'blobs';
      for (const key of ['noise', 'trainRatio', 'batchSize'] as const) root.querySelector(`#${key}-value`)!.textContent = String(c[key]);
    },
    offerCsv(available) {
      csvOption.disabled = !available;
    },
  };
  root.addEventListener('change', () => onChange(read()));
  // Sliders say their value while they move; the network is rebuilt when they are let go.
  root.addEventListener('input', (e) => {
    const t = e.target as HTMLInputElement;
    if (t.type === 'range') root.querySelector(`#${t.id}-value`)!.textContent = t.value;
  });
  controls.offerCsv(false);
  return controls;
}
