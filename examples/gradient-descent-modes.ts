// 5 · Batch, stochastic and mini-batch gradient descent.
//
// All three repeat θ ← θ − γ·g; they differ in how many samples g averages:
//   batch       g over all N samples:  1 update per pass, each one exact but costly;
//   stochastic  g from 1 sample:       N updates per pass, cheap but noisy;
//   mini-batch  g over m samples:      ⌈N/m⌉ updates per pass, the usual compromise.
// In nnwasm the mode is just fit's batchSize: N, 1 or m. We train the same
// network from the same initial weights with the same learning rate for the
// same number of passes (epochs), and look at the loss against the number of
// updates and against the time it took.

import * as nn from '../src/index'; // in your own project: import * as nn from 'nnwasm'
import { chart, save, sideBySide, type ExampleOptions, type Series } from './plot';
import { rng } from './random';

export interface Mode {
  name: string;
  batchSize: number;
  /** Updates counted in each epoch (by onBatchEnd). */
  updatesPerEpoch: number[];
  /** Mean squared error on all training data after 0, … updates (at checkpoints). */
  trace: { updates: number; loss: number }[];
  initialLoss: number;
  finalLoss: number;
  /** Wall time of the same training run again with nothing watching. */
  ms: number;
}

export interface Result {
  n: number;
  epochs: number;
  modes: Mode[];
  plots: string[];
}

const N = 3000;
const EPOCHS = 8;
const LEARNING_RATE = 0.05;

export async function main({ outDir, print = console.log }: ExampleOptions = {}): Promise<Result> {
  await nn.ready();
  // A smooth surface to regress, y = sin(3·x1)·cos(2·x2), plus a little noise.
  const r = rng(4);
  const x = Array.from({ length: N }, () => [r.uniform(-1, 1), r.uniform(-1, 1)]);
  const y = x.map(([a, b]) => [Math.sin(3 * a) * Math.cos(2 * b) + r.normal(0.05)]);

  const modes: Mode[] = [];
  for (const [name, batchSize] of [['batch (m = N)', N], ['stochastic (m = 1)', 1], ['mini-batch (m = 32)', 32]] as const) {
    modes.push(await train(name, batchSize, x, y));
  }

  print(`N = ${N} samples, ${EPOCHS} passes each, learning rate ${LEARNING_RATE}, the same initial weights\n`);
  print('mode                   updates/pass  updates     time  µs/update  µs/sample   loss: start → end');
  for (const m of modes) {
    const total = m.updatesPerEpoch.reduce((a, b) => a + b, 0);
    print(`${m.name.padEnd(22)}${String(m.updatesPerEpoch[0]).padStart(9)}${String(total).padStart(11)}` +
      `${`${m.ms.toFixed(0)} ms`.padStart(9)}${((1000 * m.ms) / total).toFixed(1).padStart(11)}` +
      `${((1000 * m.ms) / (EPOCHS * N)).toFixed(2).padStart(11)}      ${m.initialLoss.toFixed(4)} → ${m.finalLoss.toFixed(4)}`);
  }
  // What the table says, read out: the trade-off is between the quality of a
  // step, the number of steps a pass buys, and what each sample costs.
  const lossAt = (m: Mode, k: number) => m.trace.find((t) => t.updates === k)!.loss.toFixed(4);
  print(`\nPer update, averaged gradients make better steps: after ${EPOCHS} updates the loss is`);
  print(`  ${modes.map((m) => `${lossAt(m, EPOCHS)} (${m.name})`).join(', ')}.`);
  print(`Per pass, more updates go further: stochastic descent makes ${N} per pass, batch descent one.`);
  const perSample = modes.map((m) => `${((1000 * m.ms) / (EPOCHS * N)).toFixed(2)} µs (${m.name})`);
  print(`Per sample, batching is cheaper: the core multiplies a whole batch at once: ${perSample.join(', ')}.`);
  // Wall time weighs all three: compare the losses when the quickest run ended.
  const t = Math.min(...modes.map((m) => m.ms));
  const atTime = modes.map((m) => ({ m, loss: lossAfter(m, t) })).sort((a, b) => a.loss - b.loss);
  print(`In wall time, after ${t.toFixed(0)} ms (when the quickest run ended) the loss is`);
  print(`  ${atTime.map(({ m, loss }) => `${loss.toFixed(4)} (${m.name})`).join(', ')}: ${atTime[0].m.name} got furthest.`);
  print('On a network this small a step costs little, so many cheap updates pay; on bigger ones batching');
  print('saves more and mini-batches (less noisy, still many updates) usually win, hence fit\'s default batchSize 32.');

  const byUpdates: Series[] = modes.map((m) => ({
    name: m.name, x: m.trace.slice(1).map((t) => t.updates), y: m.trace.slice(1).map((t) => t.loss),
  }));
  const byTime: Series[] = modes.map((m) => {
    const total = m.updatesPerEpoch.reduce((a, b) => a + b, 0);
    return { name: m.name, x: m.trace.map((t) => (t.updates / total) * m.ms), y: m.trace.map((t) => t.loss) };
  });
  const yAxis = { title: 'training loss (MSE)', log: true };
  const plots = [await save(outDir, 'gradient-descent-modes', sideBySide(`The same ${EPOCHS} passes over the data, three ways to spend them`, [
    chart({ title: 'against the number of updates', x: { title: 'updates (log scale)', log: true }, y: yAxis, lines: byUpdates, width: 340 }),
    chart({ title: 'against wall time', x: { title: 'milliseconds of training' }, y: yAxis, lines: byTime, width: 340 }),
  ]))].filter((p): p is string => !!p);
  return { n: N, epochs: EPOCHS, modes, plots };
}

async function train(name: string, batchSize: number, x: number[][], y: number[][]): Promise<Mode> {
  const build = () => {
    const model = nn.sequential([
      nn.dense({ units: 32, activation: 'tanh', inputDim: 2 }),
      nn.dense({ units: 32, activation: 'tanh' }),
      nn.dense({ units: 1 }),
    ], { seed: 1 }); // the same seed: the same initial weights for every mode
    model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate: LEARNING_RATE }) });
    return model;
  };
  const fitOptions = { epochs: EPOCHS, batchSize, seed: 2 };

  // Run 1 watches: count updates per epoch, and now and then measure the loss
  // on all the data (so the three modes are compared on the same yardstick,
  // not on their own batches' losses).
  const model = build();
  const total = EPOCHS * Math.ceil(N / batchSize);
  const checkpoints = logSpaced(total, 60).add(EPOCHS); // every mode is measured after EPOCHS updates too
  const trace = [{ updates: 0, loss: model.evaluate(x, y).loss }];
  const updatesPerEpoch: number[] = [];
  let updates = 0;
  await model.fit(x, y, {
    ...fitOptions,
    callbacks: {
      onBatchEnd(batch) {
        updates++;
        updatesPerEpoch[updatesPerEpoch.length - (batch === 0 ? 0 : 1)] = batch + 1;
        if (checkpoints.has(updates)) trace.push({ updates, loss: model.evaluate(x, y).loss });
      },
    },
  });
  model.dispose();

  // Run 2 only trains, so the clock sees nothing but training. The same seeds
  // make it the very same run: bit-identical updates.
  const timed = build();
  const start = performance.now();
  await timed.fit(x, y, fitOptions);
  const ms = performance.now() - start;
  timed.dispose();

  return { name, batchSize, updatesPerEpoch, trace, initialLoss: trace[0].loss, finalLoss: trace[trace.length - 1].loss, ms };
}

/** The last loss measured within the first `ms` of training (updates take equal time within a mode). */
function lossAfter(m: Mode, ms: number): number {
  const total = m.updatesPerEpoch.reduce((a, b) => a + b, 0);
  return m.trace.filter((t) => (t.updates / total) * m.ms <= ms).at(-1)!.loss;
}

/** About `count` whole numbers spread evenly on a log scale from 1 to n, n included. */
function logSpaced(n: number, count: number): Set<number> {
  const out = new Set([n]);
  for (let i = 0; i < count; i++) out.add(Math.max(1, Math.round(n ** (i / (count - 1)))));
  return out;
}
