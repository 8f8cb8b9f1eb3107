// The demo page: draw a digit or pick a real one, see the class probabilities
// of the pretrained 784-128-10 model (prepare.ts wrote it in the native
// format), or train a new one in a worker and use that instead.

import * as nn from 'nnwasm';
import { createBars } from './bars';
import { createChart } from './chart';
import { decodeDigits, toInputs, PIXELS } from './digits';
import { createPad } from './draw';
import { createFrameMeter } from './frames';
import { setUpTraining } from './train';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

async function fetchOk(path: string): Promise<Response> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} (run npm run demo, which prepares the data)`);
  return response;
}
const fetchBytes = async (path: string) => (await fetchOk(path)).arrayBuffer();

const [modelText, testBytes] = await Promise.all([
  fetchOk('data/model.json').then((r) => r.text()),
  fetchBytes('data/test-digits.bin'),
  nn.ready(),
]).catch((e: Error) => {
  $('model-info').textContent = `The demo could not start: ${e.message}`;
  throw e;
});
let model = nn.fromJSON(modelText);
const digits = decodeDigits(testBytes.slice(0));
const inputs = toInputs(digits.pixels);
const bars = createBars($('bars'), $('predicted'));
const frames = createFrameMeter($('pulse'), $('frames'));

// What the model sees: a picked digit exactly, or the drawing once the visitor draws.
let current: Float32Array | null = null;
let queued = false;
const predict = () => {
  queued = false;
  if (!current) return bars.clear();
  bars.show(model.predict({ data: current, rows: 1, cols: PIXELS }).data);
};
const pad = createPad($<HTMLCanvasElement>('pad'), () => {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    current = pad.input();
    predict();
  });
});
$('clear').addEventListener('click', () => {
  pad.clear();
  current = null;
  predict();
});

// The picker: the 100 held-out digits, 10 of each class.
const picker = $('digits');
for (let i = 0; i < digits.count; i++) {
  const button = document.createElement('button');
  Object.assign(button.dataset, { index: String(i), label: String(digits.labels[i]) });
  button.title = `a real ${digits.labels[i]}`;
  const thumb = document.createElement('canvas');
  thumb.width = thumb.height = 28;
  const image = new ImageData(28, 28);
  digits.pixels.subarray(i * PIXELS, (i + 1) * PIXELS).forEach((v, p) => image.data.set([v, v, v, 255], p * 4));
  thumb.getContext('2d')!.putImageData(image, 0, 0);
  button.append(thumb);
  button.addEventListener('click', () => {
    picker.querySelector('.picked')?.classList.remove('picked');
    button.classList.add('picked');
    pad.show(digits.pixels.subarray(i * PIXELS, (i + 1) * PIXELS));
    current = inputs.subarray(i * PIXELS, (i + 1) * PIXELS);
    predict();
  });
  picker.append(button);
}

/** How the current model does on the 100 digits, and what one prediction costs. */
function describe(source: string): void {
  const p = model.predict({ data: inputs, rows: digits.count, cols: PIXELS }).data;
  let correct = 0;
  for (let i = 0; i < digits.count; i++) {
    let best = 0;
    for (let d = 1; d < 10; d++) if (p[i * 10 + d] > p[i * 10 + best]) best = d;
    if (best === digits.labels[i]) correct++;
  }
  // Many runs: browsers round performance.now() to 0.1 ms outside cross-origin isolation.
  const runs = 1000, one = { data: inputs.subarray(0, PIXELS), rows: 1, cols: PIXELS };
  for (let r = 0; r < runs; r++) model.predict(one); // warmed up: the figure is the optimized code's, not the first calls'
  const t0 = performance.now();
  for (let r = 0; r < runs; r++) model.predict(one);
  const micros = ((performance.now() - t0) * 1000) / runs;
  const info = $('model-info');
  Object.assign(info.dataset, { correct: String(correct), micros: micros.toFixed(1), source });
  info.textContent = `Model: ${source}. It gets ${correct} of the 100 digits right; ` +
    `one prediction takes ${micros < 10 ? micros.toFixed(1) : Math.round(micros)} µs (mean of ${runs}, after ${runs} to warm up).`;
}
describe('pretrained by the project (784-128-10, native format)');

setUpTraining({
  start: $<HTMLButtonElement>('train'),
  stop: $<HTMLButtonElement>('stop'),
  epochs: $<HTMLInputElement>('epochs'),
  status: $('train-status'),
  chart: createChart($<HTMLCanvasElement>('chart')),
  data: async () => ({ train: await fetchBytes('data/train-digits.bin'), test: testBytes.slice(0) }),
  onStart: () => frames.reset(),
  onModel(trained, summary) {
    model.dispose();
    model = trained;
    describe(summary);
    predict();
  },
});
document.body.dataset.ready = 'true';
