// The "train in the browser" panel: starts a worker on the training digits,
// feeds its batched progress to the chart, stops it on request, and hands the
// trained model to the page.

import * as nn from 'nnwasm';
import type { Chart } from './chart';
import type { FromWorker, TrainRequest } from './messages';
import { TRAINING } from './recipe';

export interface TrainPanel {
  start: HTMLButtonElement;
  stop: HTMLButtonElement;
  epochs: HTMLInputElement;
  /** Text status; its data-* attributes carry the figures for tests. */
  status: HTMLElement;
  chart: Chart;
  /** Fetches fresh copies of the digit files: their buffers move to the worker. */
  data(): Promise<{ train: ArrayBuffer; test: ArrayBuffer }>;
  /** Called before the worker starts. */
  onStart(): void;
  onModel(model: nn.Sequential, summary: string): void;
}

export function setUpTraining(panel: TrainPanel): void {
  const { start, stop, status, chart } = panel;
  let worker: Worker | undefined;

  const setState = (state: string, text: string) => {
    status.dataset.state = state;
    status.textContent = text;
  };
  const finish = () => {
    worker?.terminate();
    worker = undefined;
    start.disabled = false;
    stop.disabled = true;
  };

  start.addEventListener('click', async () => {
    start.disabled = true;
    for (const k of ['firstLoss', 'lastLoss', 'testAccuracy', 'epochs']) delete status.dataset[k];
    setState('training', 'loading the training digits…');
    let train: ArrayBuffer, test: ArrayBuffer;
    try {
      ({ train, test } = await panel.data());
    } catch (e) {
      finish();
      return setState('error', `could not load the training digits: ${(e as Error).message}`);
    }
    const request: TrainRequest = {
      type: 'train', train, test,
      epochs: Math.max(1, Math.min(100, Math.round(Number(panel.epochs.value)) || 1)),
      batchSize: TRAINING.batchSize, learningRate: TRAINING.learningRate, seed: TRAINING.seed,
    };
    const digits = train.byteLength / 785;
    chart.reset(digits * request.epochs);
    panel.onStart();
    setState('training', `training on ${digits} digits…`);
    stop.disabled = false;

    worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data: msg }: MessageEvent<FromWorker>) => {
      if (msg.type === 'progress') {
        chart.add(msg.points);
      } else if (msg.type === 'epoch') {
        chart.addEpoch(digits * (msg.epoch + 1), msg.testAccuracy);
        status.dataset.firstLoss ??= String(msg.loss);
        status.dataset.lastLoss = String(msg.loss);
        status.dataset.testAccuracy = String(msg.testAccuracy);
        status.dataset.epochs = String(msg.epoch + 1);
        setState('training', `epoch ${msg.epoch + 1}/${request.epochs}: loss ${msg.loss.toFixed(3)}, ` +
          `accuracy ${(100 * msg.accuracy).toFixed(1)} %, on the 100 test digits ${(100 * msg.testAccuracy).toFixed(0)} % ` +
          `(${Math.round(msg.samplesPerSecond).toLocaleString('en')} digits/s)`);
      } else if (msg.type === 'done') {
        const model = nn.io.load({ json: msg.json as nn.io.ModelManifest, weights: msg.weights });
        const how = msg.stopped ? `stopped after ${msg.epochs} epochs` : `${msg.epochs} epochs`;
        finish();
        setState(msg.stopped ? 'stopped' : 'done', `${how} in ${msg.seconds.toFixed(1)} s: the page now uses the model trained here`);
        panel.onModel(model, `trained in this browser (${digits} digits, ${how})`);
      } else {
        finish();
        setState('error', `training failed: ${msg.message}`);
      }
    };
    worker.onerror = (e) => {
      finish();
      setState('error', `training failed: ${e.message}`);
    };
    worker.postMessage(request, [train, test]);
  });

  stop.addEventListener('click', () => {
    worker?.postMessage({ type: 'stop' });
    stop.disabled = true;
  });
}
