// 6 · Tuning the learning rate by random search.
//
// The learning rate γ in θ ← θ − γ·∇L is a hyperparameter: gradient descent
// does not learn it, we choose it. Too small and training crawls; too large
// and it overshoots, bounces around or blows up. The course's advice is random
// search: draw γ (and here the batch size too) at random, train a model for
// each draw, and keep the one with the lowest loss on *validation* data, data
// the models did not train on, so the choice rewards generalizing rather than
// memorizing.
//
// γ is drawn log-uniformly, e^U(ln 10⁻⁴, ln 3): every factor of ten gets the
// same number of tries, because 0.0001 → 0.001 matters as much as 0.1 → 1.

import * as nn from '../src/index'; // in your own project: import * as nn from 'nnwasm'
import { chart, save, type ExampleOptions, type Series } from './plot';
import { rng } from './random';

export interface Result {
  trials: { learningRate: number; batchSize: number; valLoss: number }[];
  best: { learningRate: number; batchSize: number; valLoss: number };
  plots: string[];
}

const BATCH_SIZES = [8, 32, 128] as const;
const EPOCHS = 15;

export async function main({ outDir, print = console.log }: ExampleOptions = {}): Promise<Result> {
  await nn.ready();
  // The surface of the gradient-descent example, y = sin(3·x1)·cos(2·x2) + noise.
  const r = rng(9);
  const x = Array.from({ length: 800 }, () => [r.uniform(-1, 1), r.uniform(-1, 1)]);
  const y = x.map(([a, b]) => [Math.sin(3 * a) * Math.cos(2 * b) + r.normal(0.05)]);
  const { xTrain, xTest: xVal, yTrain, yTest: yVal } = nn.trainTestSplit(x, y, { testSize: 0.25, seed: 10 });

  const search = await nn.randomSearch({
    space: {
      learningRate: nn.search.logUniform(1e-4, 3),
      batchSize: nn.search.choice(BATCH_SIZES),
    },
    trials: 40,
    seed: 11,
    // One trial: a fresh network (seeded by the search, so every run replays the same trials) …
    build: ({ learningRate }, { seed }) => {
      const model = nn.sequential([
        nn.dense({ units: 16, activation: 'tanh', inputDim: 2 }),
        nn.dense({ units: 16, activation: 'tanh' }),
        nn.dense({ units: 1 }),
      ], { seed });
      model.compile({ loss: 'meanSquaredError', optimizer: nn.sgd({ learningRate }) });
      return model;
    },
    // … trained for the same number of passes, and scored on the validation data.
    fit: (model, { batchSize }) => model.fit(xTrain, yTrain, { epochs: EPOCHS, batchSize, validationData: [xVal, yVal] }),
    objective: 'valLoss',
  });

  const trials = search.trials.map((t) => ({ ...t.params, valLoss: t.score }));
  const best = trials[0]; // ranked best first
  // Predicting 0 everywhere already scores about 0.25: a loss above 1 (or NaN) means the steps diverged.
  const blewUp = (t: { valLoss: number }) => !(t.valLoss <= 1);
  print('learning rate   batch size   validation loss   (best first)');
  for (const t of trials) {
    const loss = blewUp(t) ? `blew up (${t.valLoss.toPrecision(2)})` : t.valLoss.toFixed(4);
    print(`${t.learningRate.toExponential(2).padStart(13)}${String(t.batchSize).padStart(13)}   ${loss.padStart(15)}`);
  }
  print(`\nbest: learning rate ${best.learningRate.toPrecision(3)} with batch size ${best.batchSize}, validation loss ${best.valLoss.toFixed(4)}`);
  const smallestFailure = Math.min(...trials.filter(blewUp).map((t) => t.learningRate));
  print(`Small rates get nowhere in ${EPOCHS} passes; from ${smallestFailure.toPrecision(2)} up, runs blew up. The best rate lies`);
  print('in between, and where depends on the batch size (more, smaller steps per pass want a smaller rate):');
  print('one more reason to search the two together.');
  search.bestModel.dispose(); // the search keeps the best trial's trained model; here we only need its score

  const LIMIT = 1;
  const series: Series[] = BATCH_SIZES.map((m) => {
    const mine = trials.filter((t) => t.batchSize === m && !blewUp(t));
    return { name: `batch size ${m}`, x: mine.map((t) => t.learningRate), y: mine.map((t) => t.valLoss) };
  });
  const failed = trials.filter(blewUp);
  series.push({ name: 'blew up (drawn at 1)', x: failed.map((t) => t.learningRate), y: failed.map(() => LIMIT) });
  const plots = [await save(outDir, 'learning-rate-search', chart({
    title: `Random search, ${trials.length} trials: validation loss after ${EPOCHS} passes`,
    x: { title: 'learning rate γ (log scale)', log: true },
    y: { title: 'validation loss (MSE, log scale)', log: true, domain: [0.7 * best.valLoss, 1.5 * LIMIT] },
    points: series,
    highlight: { x: best.learningRate, y: best.valLoss, label: `best: γ = ${best.learningRate.toPrecision(2)}, m = ${best.batchSize}` },
  }))].filter((p): p is string => !!p);
  return { trials, best, plots };
}
