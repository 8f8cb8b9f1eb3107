// The playground page: reads the configuration from the URL, makes the data,
// keeps a mirror of the worker's model (same configuration; the worker's
// weights copied in at each snapshot) for the heatmaps, step mode and export,
// and wires every control. Training itself happens in worker.ts.

import * as nn from 'nnwasm';
import { createFrameMeter } from '../frames';
import { buildModel, outputUnits, targets, type Task } from './build';
import type { Net } from './chain-rule';
import { createLineChart, createTrialChart } from './charts';
import { createControls } from './controls';
import { parsePoints, readCsvText, setUpCsvDrop, type CsvPoints } from './csv-drop';
import { makeDataset, split, type Dataset, type Points } from './datasets';
import { createDiagram } from './diagram';
import { exportModel } from './export';
import { FEATURE_LABELS, featurize, grid } from './features';
import { EPOCH_FIELDS, type Descent, type FromWorker, type Rows, type Setup, type StopReason, type ToWorker } from './protocol';
import { GRID, paintInputs, paintNetwork, type Scene } from './render';
import { BATCH_SIZES } from './search';
import { RADIUS } from './datasets';
import { fromHash, toHash, type Config } from './state';
import { setUpStepMode } from './step-mode';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
await nn.ready();

let config = fromHash(location.hash);
let csv: CsvPoints | undefined;
let mirror: nn.Sequential | undefined;
let setup: Setup;
let scene: Scene;
let weights: Float32Array[] = [];
let shapes: [number, number][] = [];
let history: number[] = [];
let running = false;

const diagram = createDiagram($('diagram'));
const boundary = $<HTMLCanvasElement>('boundary');
const lossChart = createLineChart($<HTMLCanvasElement>('loss-chart'), 'epoch');
const compareChart = createLineChart($<HTMLCanvasElement>('compare-chart'), 'epoch');
const searchChart = createTrialChart($<HTMLCanvasElement>('search-chart'), 1e-3, 1, BATCH_SIZES, $('search-legend'));
const status = $('status');
const play = $<HTMLButtonElement>('play');
createFrameMeter($('pulse'), $('frames'));
const controls = createControls($('controls'), (next) => apply(next), () => config);

const rowsOf = (p: Points, task: Task): { x: Rows; y: Rows } => {
  const rows = p.label.length;
  return {
    x: { data: featurize(p.xy, config.features), rows, cols: task.inputs },
    y: { data: targets(p.label, task), rows, cols: outputUnits(task) },
  };
};

function net(task: Task): Net {
  const out = task.classes === 0 ? 'linear' : task.classes === 2 ? 'sigmoid' : 'softmax';
  return {
    units: [...config.layers, outputUnits(task)], activations: [...config.layers.map(() => config.activation), out],
    loss: task.classes === 0 ? 'mse' : task.classes === 2 ? 'binaryCrossentropy' : 'categoricalCrossentropy',
    regularization: config.regRate ? config.regularization : 'none', regRate: config.regRate,
  };
}

/** Everything follows from the configuration: data, mirror model, diagram, URL, and a fresh model in the worker. */
function apply(next: Config): void {
  config = next.dataset === 'csv' && !csv ? { ...next, dataset: 'circle' } : next;
  // A link made with a dropped file cannot carry the file: say why the circle shows instead.
  if (next.dataset === 'csv' && !csv) $('csv-status').textContent = 'This link was made with a CSV file of its own, which a link cannot carry: drop that file to train on it (the circle meanwhile).';
  const data: Dataset = config.dataset === 'csv' ? split(csv!.rows, config, csv!.classes) : makeDataset(config);
  const task = { inputs: config.features.length, classes: data.classes };
  mirror?.dispose();
  mirror = buildModel(config, task);
  weights = mirror.getWeights().map((w) => w.data);
  shapes = mirror.getWeights().map((w) => [w.rows, w.cols]);
  const gridXY = grid(GRID, RADIUS);
  scene = {
    model: mirror, data, inputs: task.inputs, outputs: outputUnits(task),
    gridX: featurize(gridXY, config.features), gridY: targets(new Float32Array(GRID * GRID), task),
  };
  setup = { type: 'setup', generation: (setup?.generation ?? 0) + 1, config, task, train: rowsOf(data.train, task), test: rowsOf(data.test, task) };
  history = [];
  controls.write(config);
  window.history.replaceState(null, '', toHash(config));
  const json = mirror.toJSON();
  Object.assign($('model-summary').dataset, { inputDim: String(json.inputDim), layers: JSON.stringify(json.layers), compile: JSON.stringify(json.compile), params: String(mirror.countParams) });
  $('model-summary').textContent = `${task.inputs} → ${net(task).units.map((u, i) => `${u} ${net(task).activations[i]}`).join(' → ')}; ` +
    `${json.compile?.loss}, ${mirror.countParams} weights; ${data.train.label.length} training and ${data.test.label.length} test points`;
  diagram.layout(config.features.map((f) => FEATURE_LABELS[f]), net(task).units);
  paintInputs(diagram, scene);
  stepMode.clear();
  send(setup);
  showStatus({ epoch: 0, steps: 0, stepsPerSecond: 0, running: false, stopReason: undefined });
  draw();
}

let queued = false;
function draw(): void {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    mirror!.setWeights(weights.map((data, i) => ({ data, rows: shapes[i][0], cols: shapes[i][1] })));
    diagram.links(weights);
    paintNetwork(diagram, boundary, scene);
    const field = (k: number) => history.filter((_, i) => i % EPOCH_FIELDS === k);
    lossChart.set([{ name: 'training loss', values: field(0) }, { name: 'test loss', values: field(1) }]);
  });
}

/** Why the run stopped, said after the figures; a pause says nothing. */
const STOPPED: Record<StopReason, string> = {
  paused: '',
  done: ' (done)',
  'early stopping': ' (early stopping)',
  diverged: '. Training diverged (the loss became NaN or infinite) and was rolled back to the last good epoch: lower the learning rate' +
    ' (or the regularization rate).',
};

function showStatus(s: { epoch: number; steps: number; stepsPerSecond: number; running: boolean; stopReason?: StopReason }): void {
  const n = history.length / EPOCH_FIELDS;
  const at = (k: number) => (n ? history[(n - 1) * EPOCH_FIELDS + k] : NaN);
  const metric = setup.task.classes ? 'accuracy' : 'r²';
  const state = s.running ? 'running' : s.stopReason ?? (s.epoch ? 'paused' : 'ready');
  Object.assign(status.dataset, {
    state, epoch: String(s.epoch), steps: String(s.steps), trainLoss: String(at(0)), testLoss: String(at(1)),
    trainMetric: String(at(2)), testMetric: String(at(3)), stepsPerSecond: String(s.stepsPerSecond),
  });
  status.textContent = `Epoch ${s.epoch} (${s.steps.toLocaleString('en')} steps)` + (n
    ? `: training loss ${at(0).toFixed(3)}, test loss ${at(1).toFixed(3)}, test ${metric} ${metric === 'accuracy' ? `${(100 * at(3)).toFixed(1)} %` : at(3).toFixed(3)}`
    : '') + (s.stopReason ? STOPPED[s.stopReason] : '');
  if (s.stepsPerSecond) $('speed-live').textContent = `${Math.round(s.stepsPerSecond).toLocaleString('en')} steps/s on the Wasm core, with the test loss and the drawing after each epoch (Speed, below, times training alone)`;
  setRunning(s.running);
}

function setRunning(r: boolean): void {
  running = r;
  play.textContent = running ? 'Pause' : 'Play';
  play.setAttribute('aria-pressed', String(running));
}

/** A request the worker could not do, said where its result would have gone; its button works again. */
function showError(job: ToWorker['type'], message: string): void {
  if (job === 'compare' || job === 'search') {
    const out = $(`${job}-result`);
    out.dataset.error = 'true';
    out.textContent = `${job === 'compare' ? 'Comparing' : 'The search'} failed: ${message}`;
    $<HTMLButtonElement>(job).disabled = false;
    return;
  }
  status.dataset.state = 'error';
  status.textContent = `Training failed: ${message}`;
  setRunning(false);
}

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
/** Why the worker stopped, once it has (its file not found, a throw at its top level): it says nothing itself. */
let stopped: string | undefined;
worker.onerror = (e) => {
  stopped = `the training worker stopped (${e.message || 'its script did not load'})`;
  for (const job of ['play', 'compare', 'search'] as const) showError(job, stopped);
};

/** A request to the worker; once it has stopped, the request fails at once, said where its result would have gone (after the caller's own update). */
function send(msg: ToWorker): void {
  if (stopped === undefined) worker.postMessage(msg);
  else if (msg.type !== 'pause') queueMicrotask(() => showError(msg.type, stopped!));
}
worker.onmessage = ({ data: msg }: MessageEvent<FromWorker>) => {
  if (msg.type === 'snapshot') {
    if (msg.generation !== setup.generation) return;
    weights = msg.weights;
    for (const v of msg.epochs) history.push(v);
    showStatus(msg);
    draw();
  } else if (msg.type === 'compare') showComparison(msg.series);
  else if (msg.type === 'trial') {
    searchChart.add(msg);
    const out = $('search-result');
    out.dataset.trials = String(Number(out.dataset.trials ?? 0) + 1);
    out.textContent = `${out.dataset.trials} trials…`;
  }
  else if (msg.type === 'searched') showBest(msg);
  else if (msg.type === 'error') showError(msg.job, msg.message);
};

play.addEventListener('click', () => {
  stepMode.clear();
  send({ type: running ? 'pause' : 'play' });
  if (!running) showStatus({ ...statusNumbers(), running: true });
});
$('step').addEventListener('click', () => send({ type: 'step' }));
$('reset').addEventListener('click', () => apply(config));
const statusNumbers = () => ({ epoch: Number(status.dataset.epoch), steps: Number(status.dataset.steps), stepsPerSecond: 0 });

// Batch, stochastic and mini-batch.
function showComparison(series: Descent[]): void {
  compareChart.set(series.map((s) => ({ name: s.name, values: s.losses })));
  const out = $('compare-result');
  delete out.dataset.error;
  // epochs: those kept; final: null when none was (a descent that diverged in its first).
  out.dataset.series = JSON.stringify(series.map(({ name, batchSize, steps, losses, diverged }) => ({ name, batchSize, steps, diverged, epochs: losses.length, final: losses.at(-1) ?? null })));
  out.innerHTML = series.map((s, k) => `<span class="${['loss', 'accuracy', 'test'][k]}">${s.name} (batch ${s.batchSize}, ${s.steps} steps): ${descentEnd(s)}</span>`).join(' ') +
    (series.some((s) => s.diverged) ? ' Lower the learning rate to compare them further.' : '');
  $<HTMLButtonElement>('compare').disabled = false;
}
function descentEnd(s: Descent): string {
  const last = s.losses.at(-1);
  // A descent on its way to diverging can end at a loss too large for toFixed to be readable.
  const loss = last === undefined ? 'no epoch kept' : `loss ${Math.abs(last) < 1e6 ? last.toFixed(3) : last.toExponential(2)}`;
  return s.diverged ? `${loss}; diverged in epoch ${s.losses.length + 1} (the loss became NaN or infinite) and stopped` : loss;
}
$('compare').addEventListener('click', () => {
  $<HTMLButtonElement>('compare').disabled = true;
  delete $('compare-result').dataset.series;
  $('compare-result').textContent = 'training three models…';
  send({ type: 'compare', epochs: 50 });
});

// Random search.
let best: { learningRate: number; batchSize: number } | undefined;
function showBest(b: { learningRate: number; batchSize: number; score: number; objective: string }): void {
  best = b;
  searchChart.setBest(b);
  const out = $('search-result');
  Object.assign(out.dataset, { learningRate: String(b.learningRate), batchSize: String(b.batchSize), score: String(b.score) });
  out.textContent = `Best: learning rate ${b.learningRate.toPrecision(2)}, batch size ${b.batchSize} (${b.objective === 'valLoss' ? 'test loss' : b.objective} ${b.score.toFixed(4)}).`;
  $<HTMLButtonElement>('search').disabled = false;
  $<HTMLButtonElement>('use-best').disabled = false;
}
$('search').addEventListener('click', () => {
  $<HTMLButtonElement>('search').disabled = true;
  searchChart.reset();
  $('search-result').textContent = 'searching…';
  for (const key of ['error', 'score', 'learningRate', 'batchSize']) delete $('search-result').dataset[key];
  $('search-result').dataset.trials = '0';
  send({ type: 'search', trials: 12, epochs: 40 });
});
$('use-best').addEventListener('click', () => {
  if (!best) return;
  // The controls offer a list of rates: the nearest one on a log scale.
  const rates = [...$<HTMLSelectElement>('learningRate').options].map((o) => Number(o.value));
  const nearest = rates.reduce((a, r) => (Math.abs(Math.log(r / best!.learningRate)) < Math.abs(Math.log(a / best!.learningRate)) ? r : a));
  apply({ ...config, learningRate: nearest, batchSize: best.batchSize });
});

// Steps per second, Wasm then js, in a worker of its own (setBackend is global to a worker).
$('speed').addEventListener('click', () => {
  const button = $<HTMLButtonElement>('speed'), out = $('speed-result');
  button.disabled = true;
  out.textContent = 'measuring the Wasm core…';
  const bench = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const rates: Record<string, number> = {};
  const f = (v: number) => Math.round(v).toLocaleString('en');
  const line = (network: string, name: string) => {
    const wasm = rates[`${network}-wasm`], js = rates[`${network}-js`];
    return wasm && js ? `${name}: Wasm core ${f(wasm)} steps/s, js backend ${f(js)} steps/s, ${(wasm / js).toFixed(1)}×.` : '';
  };
  bench.onerror = (e) => {
    out.textContent = `Measuring failed: the worker stopped (${e.message || 'its script did not load'})`;
    bench.terminate();
    button.disabled = false;
  };
  bench.onmessage = ({ data: msg }: MessageEvent<FromWorker>) => {
    if (msg.type === 'error') {
      out.textContent = `Measuring failed: ${msg.message}`;
      bench.terminate();
      button.disabled = false;
    }
    if (msg.type !== 'speed') return;
    const key = `${msg.network}-${msg.backend}`;
    rates[key] = msg.stepsPerSecond;
    out.dataset[key.replace(/-(\w)/, (_, c: string) => c.toUpperCase())] = String(msg.stepsPerSecond);
    out.dataset[`${msg.network}Steps`] = String(msg.steps);
    out.textContent = [line('default', 'TF Playground\'s network'), line('largest', '6 × 8 tanh, batch 30')].filter(Boolean).join(' ') +
      (rates['largest-js'] ? '' : ' measuring…');
    if (rates['largest-js']) {
      bench.terminate();
      button.disabled = false;
    }
  };
  bench.postMessage({ type: 'speed', epochs: 400 });
});

// Step mode, on the training points and the mirror's current weights.
const stepMode = setUpStepMode({
  sample: $<HTMLInputElement>('step-sample'), next: $<HTMLButtonElement>('step-next'), restart: $<HTMLButtonElement>('step-restart'),
  text: $('step-text'), table: $('step-table'),
}, diagram, () => {
  if (running) {
    send({ type: 'pause' });
    $('step-text').textContent = 'Training paused: press Next again to walk a sample through the network.';
    return undefined;
  }
  return { model: mirror!, weights, net: net(setup.task), x: setup.train.x.data, y: setup.train.y.data, inputs: setup.task.inputs, outputs: outputUnits(setup.task) };
});

// Your own CSV.
// The status's attributes describe the last file only: a success clears the error, a failure the counts.
setUpCsvDrop($('drop-zone'), $<HTMLInputElement>('csv-file'), async (file) => {
  const out = $('csv-status'), name = file.name;
  try {
    csv = await parsePoints(await readCsvText(file), name);
    controls.offerCsv(true);
    delete out.dataset.error;
    out.dataset.rows = String(csv.rows.length);
    out.dataset.classes = String(csv.classes);
    out.textContent = `${name}: ${csv.rows.length} points, ${csv.classes ? `${csv.classes} classes` : 'a regression target'}.`;
    apply({ ...config, dataset: 'csv' });
  } catch (e) {
    delete out.dataset.rows;
    delete out.dataset.classes;
    out.dataset.error = (e as Error).name;
    out.textContent = `${name} could not be used: ${(e as Error).message}`;
  }
});

for (const format of ['native', 'tfjs', 'onnx'] as const) $(`export-${format}`).addEventListener('click', () => exportModel(mirror!, format));

// A link pasted or the back button: the hash changes without a reload.
window.addEventListener('hashchange', () => {
  if (location.hash !== toHash(config)) apply(fromHash(location.hash));
});

apply(config);
document.body.dataset.ready = 'true';
