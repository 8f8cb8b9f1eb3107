// The examples of examples/: each one's main() runs (plots into a temporary
// directory) and what it teaches must actually hold: recovered weights,
// derivatives, accuracies, update counts, the search's ranking, backprop.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { main as activations, NAMES, STEP } from '../examples/activations';
import { main as backpropByHand, type Pass } from '../examples/backprop-by-hand';
import { main as binaryClassification } from '../examples/binary-classification';
import { main as gradientDescentModes } from '../examples/gradient-descent-modes';
import { main as learningRateSearch } from '../examples/learning-rate-search';
import { main as multiclass } from '../examples/multiclass';
import { main as perceptron } from '../examples/perceptron';
import { main as regularization } from '../examples/regularization';

const outDir = mkdtempSync(join(tmpdir(), 'nnwasm-examples-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));
const options = { outDir, print: () => {} };

/** Each plot is a file holding a non-trivial SVG picture: marks drawn, not just an empty frame. */
function expectSvgs(plots: string[], count: number): void {
  expect(plots).toHaveLength(count);
  for (const p of plots) {
    const svg = readFileSync(p, 'utf8');
    expect(svg).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>\s*$/);
    expect(svg.length).toBeGreaterThan(5000);
    expect(svg.match(/<path/g)?.length ?? 0).toBeGreaterThan(5);
  }
}

describe('examples', () => {
  test('perceptron: the learned line is within 0.05 of least squares and of the true line', async () => {
    const r = await perceptron(options);
    for (const k of ['w0', 'w1'] as const) {
      expect(Math.abs(r.learned[k] - r.leastSquares[k])).toBeLessThan(0.05);
      expect(Math.abs(r.learned[k] - r.truth[k])).toBeLessThan(0.05);
    }
    expect(r.loss.last).toBeLessThan(r.loss.first);
    expectSvgs(r.plots, 1);
  });

  test('activations: each plotted derivative matches finite differences of the plotted values', async () => {
    const r = await activations(options);
    expect(Object.keys(r.curves)).toEqual([...NAMES]);
    for (const name of NAMES) {
      const { f, df } = r.curves[name];
      expect(f).toHaveLength(r.z.length);
      for (let i = 1; i < r.z.length - 1; i++) {
        if (Math.abs(r.z[i]) < STEP / 2) continue; // relu and leakyRelu have a kink at 0
        const numeric = (f[i + 1] - f[i - 1]) / (2 * STEP);
        expect(Math.abs(df[i] - numeric), `${name}' at z = ${r.z[i]}`).toBeLessThan(1e-3);
      }
    }
    const at0 = r.z.indexOf(0);
    expect(r.curves.sigmoid.df[at0]).toBeCloseTo(0.25, 6);
    expect(r.curves.tanh.df[at0]).toBeCloseTo(1, 6);
    expectSvgs(r.plots, 1);
  });

  test('binary classification: at least 95 % of held-out points classified right', async () => {
    const r = await binaryClassification(options);
    expect(r.testRows).toBeGreaterThan(50);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expectSvgs(r.plots, 1);
  });

  test('multiclass: high accuracy, and the confusion matrix counts every held-out sample once', async () => {
    const r = await multiclass(options);
    expect(r.classes).toEqual(['cat', 'dog', 'duck']);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(r.testRows);
    const diagonal = r.confusion.reduce((s, row, i) => s + row[i], 0);
    expect(diagonal / r.testRows).toBeCloseTo(r.testAccuracy, 12);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expectSvgs(r.plots, 1);
  });

  test('gradient-descent modes: 1, N and ⌈N/m⌉ updates per pass, and every mode lowers the loss', async () => {
    const r = await gradientDescentModes(options);
    const [batch, stochastic, mini] = r.modes;
    expect(batch.updatesPerEpoch).toEqual(Array(r.epochs).fill(1));
    expect(stochastic.updatesPerEpoch).toEqual(Array(r.epochs).fill(r.n));
    expect(mini.updatesPerEpoch).toEqual(Array(r.epochs).fill(Math.ceil(r.n / mini.batchSize)));
    expect(r.n % mini.batchSize).not.toBe(0); // so the last mini-batch is partial and ⌈⌉ matters
    for (const m of r.modes) {
      expect(m.finalLoss, m.name).toBeLessThan(m.initialLoss);
      expect(m.ms).toBeGreaterThan(0);
    }
    // Same passes, same rate: more updates go further.
    expect(stochastic.finalLoss).toBeLessThan(mini.finalLoss);
    expect(mini.finalLoss).toBeLessThan(batch.finalLoss);
    expectSvgs(r.plots, 1);
  });

  test('learning-rate search: the best learning rate has the lowest validation loss of all trials', async () => {
    const r = await learningRateSearch(options);
    const finite = r.trials.filter((t) => Number.isFinite(t.valLoss));
    expect(finite.length).toBeGreaterThan(r.trials.length / 2);
    expect(r.best.valLoss).toBe(Math.min(...finite.map((t) => t.valLoss)));
    expect(r.trials[0]).toEqual(r.best);
    for (const t of r.trials) {
      expect(t.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(t.learningRate).toBeLessThanOrEqual(3);
    }
    expectSvgs(r.plots, 1);
  });

  test("backprop by hand: the library's forward values and gradients equal the chain rule's, and finite differences agree", async () => {
    const r = await backpropByHand(options);
    const flat = (p: Pass) => [...p.h, p.yHat, p.dLdyHat, ...p.dW0.flat(), ...p.dW1];
    const [lib, hand] = [flat(r.library), flat(r.hand)];
    expect(lib).toHaveLength(10); // h1, h2, ŷ, ∂L/∂ŷ, four w⁰ and two w¹ gradients
    lib.forEach((v, i) => expect(Math.abs(v - hand[i]), `value ${i}`).toBeLessThan(1e-5));
    expect(r.finiteDifferenceError).toBeLessThan(1e-4);
    expect(r.gradientCheck).toBeLessThan(1e-4);
  });

  test('regularization: plain training overfits (validation loss climbs from its minimum), L2 and dropout keep it lower', async () => {
    const r = await regularization(options);
    expect(r.rows).toEqual({ train: 196, validation: 196 });
    const [plain, ...regularized] = r.outcomes;
    expect(regularized.map((o) => o.name)).toEqual(['L2 1e-4 (the notebook\'s)', 'L2 1e-3', 'dropout 0.3', 'L2 1e-3 and dropout 0.3']);
    // Overfitting: the best validation loss comes early and the end is far worse, while the training loss keeps falling.
    expect(plain.bestEpoch).toBeLessThan(50);
    expect(plain.finalValLoss).toBeGreaterThan(1.5 * plain.bestValLoss);
    expect(plain.loss.at(-1)!).toBeLessThan(plain.loss[plain.bestEpoch] / 2);
    for (const o of regularized) {
      expect(o.finalValLoss, o.name).toBeLessThan(plain.finalValLoss);
      expect(o.loss.at(-1)!, o.name).toBeGreaterThan(plain.loss.at(-1)!); // it memorizes less
    }
    const cure = r.outcomes.at(-1)!;
    expect(cure.finalValLoss).toBeLessThan(0.6 * plain.finalValLoss);
    expect(cure.finalValAccuracy).toBeGreaterThan(0.65); // 3 classes, 62 % USA: better than the majority
    expectSvgs(r.plots, 1);
  });

  test('npm run example: an unknown name lists the examples and fails', () => {
    const run = spawnSync(process.execPath, ['--import', './scripts/register.mjs', 'examples/run.ts', 'no-such-example'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('No example called "no-such-example"');
    for (const name of ['perceptron', 'activations', 'binary-classification', 'multiclass', 'gradient-descent-modes', 'learning-rate-search', 'backprop-by-hand', 'regularization']) {
      expect(run.stderr).toContain(name);
    }
  });
});
