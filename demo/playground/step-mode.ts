// Step mode: one training sample walked through the network on the diagram,
// a layer per press: first the forward values a = f(z), output last, then the
// back-propagated δ = ∂L/∂z from the output back to the first hidden layer.
// The numbers come from chain-rule.ts; the panel also shows how far they are
// from model.backprop's on the same sample (float32 rounding, no more).

import type * as nn from 'nnwasm';
import { maxDifference, walk, type Net, type Walk } from './chain-rule';
import type { Diagram } from './diagram';

export interface StepSource {
  model: nn.Sequential;
  weights: Float32Array[];
  net: Net;
  /** Training rows: features [n × inputs] and targets [n × outputs]. */
  x: Float32Array;
  y: Float32Array;
  inputs: number;
  outputs: number;
}

export interface StepPanel {
  sample: HTMLInputElement;
  next: HTMLButtonElement;
  restart: HTMLButtonElement;
  /** The explanation of the current stage (aria-live). */
  text: HTMLElement;
  /** The full numbers of the walk; data-* attributes carry them for tests. */
  table: HTMLElement;
}

const fmt = (v: ArrayLike<number>) => `[${Array.from(v, (n) => n.toFixed(4)).join(', ')}]`;

export function setUpStepMode(panel: StepPanel, diagram: Diagram, source: () => StepSource | undefined): { clear(): void } {
  let stage = -1;
  let current: Walk | undefined;

  const compute = (s: StepSource) => {
    const count = s.x.length / s.inputs;
    panel.sample.max = String(count - 1);
    const i = Math.max(0, Math.min(count - 1, Math.round(Number(panel.sample.value)) || 0));
    panel.sample.value = String(i);
    const x = s.x.slice(i * s.inputs, (i + 1) * s.inputs), y = s.y.slice(i * s.outputs, (i + 1) * s.outputs);
    const w = walk(s.net, s.weights, x, y);
    const check = s.model.backprop({ data: x, rows: 1, cols: s.inputs }, { data: y, rows: 1, cols: s.outputs });
    const diff = Math.max(maxDifference(w.gradients, check.gradients.map((g) => g.data)), Math.abs(w.loss - check.loss) / Math.max(1, Math.abs(check.loss)));
    Object.assign(panel.table.dataset, {
      sample: String(i), loss: String(w.loss), x: JSON.stringify(Array.from(x)), y: JSON.stringify(Array.from(y)), maxDifference: String(diff),
      gradients: JSON.stringify(w.gradients.map((g) => Array.from(g))),
      activations: JSON.stringify(w.a.map((a) => Array.from(a))),
      deltas: JSON.stringify(w.delta.slice(1).map((d) => Array.from(d))),
    });
    const rows = w.gradients.map((g, k) => `<tr><th scope="row">∂L/∂${k % 2 ? 'b' : 'W'}${Math.floor(k / 2) + 1}</th><td>${fmt(g)}</td></tr>`);
    panel.table.innerHTML = `<caption>Sample ${i}: x = ${fmt(x)}, target ${fmt(y)}, loss ${w.loss.toFixed(5)}. ` +
      `Largest difference from model.backprop: ${diff.toExponential(1)}</caption><tbody>${rows.join('')}</tbody>`;
    return w;
  };

  const show = () => {
    const L = current!.a.length - 1;
    panel.table.dataset.stage = String(stage);
    if (stage <= L) {
      diagram.numbers(current!.a.slice(0, stage + 1), 'a =');
      panel.text.textContent = stage === 0
        ? 'Forward: the sample\'s features enter the network. Press Next to go layer by layer.'
        : `Forward, layer ${stage}: z = a${stage - 1}·W${stage} + b${stage} = ${fmt(current!.z[stage])}, a${stage} = f(z) = ${fmt(current!.a[stage])}` +
          (stage === L ? `; loss ${current!.loss.toFixed(5)}` : '');
    } else {
      const l = 2 * L + 1 - stage;
      diagram.numbers(current!.delta.map((d, k) => (k >= l ? d : undefined)) as Float32Array[], 'δ =');
      panel.text.textContent = l === L
        ? `Backward, output layer: δ${l} = ∂L/∂z${l} = ${fmt(current!.delta[l])}`
        : `Backward, layer ${l}: δ${l} = (W${l + 1}·δ${l + 1}) ⊙ f′(z${l}) = ${fmt(current!.delta[l])}; ∂L/∂W${l + 1} = a${l}ᵀ·δ${l + 1}`;
    }
  };

  const start = () => {
    const s = source();
    if (!s) return;
    current = compute(s);
    stage = 0;
    show();
  };
  panel.restart.addEventListener('click', start);
  panel.sample.addEventListener('change', start);
  panel.next.addEventListener('click', () => {
    if (!current || stage < 0) return start();
    const L = current.a.length - 1;
    stage = stage >= 2 * L ? 0 : stage + 1;
    show();
  });
  return {
    clear() {
      stage = -1;
      current = undefined;
      diagram.numbers();
      panel.table.dataset.stage = '-1';
    },
  };
}
