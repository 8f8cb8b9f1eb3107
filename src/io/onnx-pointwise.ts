// Activations an ONNX graph spells as several elementwise nodes where the
// data feeds more than one of them: swish as x·Sigmoid(x), gelu as
// x·(1 + Erf(x/√2))/2, its tanh approximation through Pow or Mul, in
// whichever order and form an exporter chose (PyTorch's, tf2onnx's, nnwasm's
// own toOnnx). Rather than match each spelling, the region of elementwise
// nodes from the data to the one tensor where its branches meet again is
// evaluated, in float64, on probe points, and named after the activation of
// nnwasm's it computes; a region that computes none of them is refused.

import type { ActivationName } from '../engine/activations';
import { fail, show } from './check';
import { tensorFloats, type OnnxGraph, type OnnxNode } from './onnx-graph';

/** Elementwise ops a region may hold, evaluated on one number (b: the second operand). */
const OPS: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Div: (a, b) => a / b, Pow: (a, b) => a ** b,
  Sigmoid: (a) => 1 / (1 + Math.exp(-a)), Tanh: Math.tanh, Erf: erf, Sqrt: Math.sqrt, Exp: Math.exp, Neg: (a) => -a,
};
export const POINTWISE_OPS: readonly string[] = Object.keys(OPS);
const MAX_REGION = 32;

/** What nnwasm computes, in float64, for the activations a region may be. */
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const CANDIDATES: [ActivationName, (z: number) => number][] = [
  ['swish', (z) => z / (1 + Math.exp(-z))],
  ['gelu', (z) => 0.5 * z * (1 + erf(z / Math.SQRT2))],
  ['geluTanh', (z) => 0.5 * z * (1 + Math.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z ** 3)))],
];

export interface Region {
  nodes: OnnxNode[];
  output: string;
  activation: ActivationName;
}

/**
 * The activation region starting at tensor x (which feeds several nodes), or
 * undefined when x's consumers are not all elementwise (a real branch).
 */
export function pointwiseRegion(graph: OnnxGraph, consumers: Map<string, OnnxNode[]>, x: string, where: string): Region | undefined {
  const elementwise = (n: OnnxNode) => Object.hasOwn(OPS, n.op) && n.domain === '';
  if (!(consumers.get(x) ?? []).every(elementwise)) return undefined; // a real branch
  const region = new Set<OnnxNode>();
  const produced = new Set<string>();
  let live = [x];
  // Grow through elementwise consumers until one tensor is left that the rest of the graph reads.
  while (live.length !== 1 || live[0] === x) {
    const next = new Set(live.flatMap((t) => (consumers.get(t) ?? []).filter((n) => !region.has(n) && elementwise(n))));
    if (!next.size || region.size + next.size > MAX_REGION) return undefined;
    for (const n of next) {
      region.add(n);
      for (const o of n.outputs) produced.add(o);
    }
    live = [...produced].filter((t) => t === graph.output || (consumers.get(t) ?? []).some((n) => !region.has(n)));
    if (!live.length) return undefined;
  }
  const nodes = [...region];
  const output = live[0];
  const f = (z: number) => evaluate(graph, nodes, x, output, z, where);
  const probes = Array.from({ length: 41 }, (_, i) => -5 + i * 0.25);
  const found = CANDIDATES.find(([, g]) => probes.every((z) => Math.abs(f(z) - g(z)) <= 1e-6 * Math.max(1, Math.abs(g(z)))));
  if (!found) {
    fail(where, `the nodes from ${show(x)} to ${show(output)} (${nodes.map((n) => n.op).join(', ')}) compute an elementwise function that is none of nnwasm's swish, gelu, geluTanh`);
  }
  return { nodes, output, activation: found[0] };
}

/** The region's output for input z: its nodes in dependency order, their other operands scalar constants. */
function evaluate(graph: OnnxGraph, nodes: readonly OnnxNode[], x: string, output: string, z: number, where: string): number {
  const values = new Map<string, number>([[x, z]]);
  const operand = (name: string, n: OnnxNode): number | undefined => {
    if (values.has(name)) return values.get(name);
    const t = graph.constants.get(name);
    if (!t) return undefined;
    const v = tensorFloats(t, where);
    if (v.length !== 1) fail(where, `node ${show(n.name || n.op)}: expected a scalar constant in an activation's nodes, got ${v.length} values`);
    return v[0];
  };
  let left = [...nodes];
  while (left.length) {
    const ready = left.filter((n) => n.inputs.every((i) => operand(i, n) !== undefined));
    if (!ready.length) fail(where, `the nodes after ${show(x)} (${left.map((n) => n.op).join(', ')}) read a tensor computed elsewhere: not an activation nnwasm reads`);
    for (const n of ready) values.set(n.outputs[0], OPS[n.op](operand(n.inputs[0], n)!, n.inputs[1] === undefined ? NaN : operand(n.inputs[1], n)!));
    left = left.filter((n) => !ready.includes(n));
  }
  return values.get(output) ?? NaN;
}

/** erf, to 1e-15: its Taylor series near 0, the continued fraction of erfc beyond. */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = a, sum = a;
    for (let n = 1; n < 60; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = e^{−a²}/√π · 1/(a + 1/2/(a + 1/(a + 3/2/(a + …)))), from the tail up.
  let f = a;
  for (let n = 60; n >= 1; n--) f = a + n / 2 / f;
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f);
}
