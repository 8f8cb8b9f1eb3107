// Paints what the network computes over the plane: every neuron's heatmap on
// the diagram and the output (the decision boundary) with the data points.
// One model.backprop pass over the grid gives every layer's activations at
// once (its gradients are ignored; the targets are class 0, or 0).

import type * as nn from 'nnwasm';
import type { Dataset } from './datasets';
import type { Diagram } from './diagram';
import { paintClasses, paintPoints, paintValues } from './heatmap';

export const GRID = 40;

export interface Scene {
  model: nn.Sequential;
  /** The grid's features [GRID² × inputs], and placeholder targets [GRID² × outputs] (class 0, or 0). */
  gridX: Float32Array;
  gridY: Float32Array;
  inputs: number;
  outputs: number;
  data: Dataset;
}

const maxAbs = (v: ArrayLike<number>, at: number, stride: number) => {
  let m = 0;
  for (let i = at; i < v.length; i += stride) m = Math.max(m, Math.abs(v[i]));
  return m || 1;
};

/** Input features, once per layout: each scaled to its own largest value. */
export function paintInputs(diagram: Diagram, scene: Scene): void {
  for (let i = 0; i < scene.inputs; i++) diagram.paint(0, i, GRID, scene.gridX, scene.inputs, maxAbs(scene.gridX, i, scene.inputs));
}

export function paintNetwork(diagram: Diagram, boundary: HTMLCanvasElement, scene: Scene): void {
  const rows = GRID * GRID;
  const { activations } = scene.model.backprop({ data: scene.gridX, rows, cols: scene.inputs }, { data: scene.gridY, rows, cols: scene.outputs });
  const last = activations.length - 1;
  activations.forEach((a, l) => {
    for (let u = 0; u < a.cols; u++) {
      // Outputs in [0, 1] (sigmoid, softmax) are shown as 2p − 1, so 0.5 is white; hidden neurons by their own range.
      if (l === last && scene.data.classes) diagram.paint(l + 1, u, GRID, a.data.map((p) => 2 * p - 1), a.cols, 1);
      else diagram.paint(l + 1, u, GRID, a.data, a.cols, l === last ? 1 : Math.max(1, maxAbs(a.data, u, a.cols)));
    }
  });
  const out = activations[last];
  if (scene.data.classes > 2) paintClasses(boundary, GRID, out.data, out.cols);
  else paintValues(boundary, GRID, scene.data.classes ? out.data.map((p) => 2 * p - 1) : out.data);
  paintPoints(boundary, scene.data.train, '#ffffff', scene.data.classes);
  paintPoints(boundary, scene.data.test, '#212529', scene.data.classes);
}
