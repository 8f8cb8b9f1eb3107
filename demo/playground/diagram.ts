// The network diagram: a column per layer (the features, each hidden layer,
// the output), each neuron a small heatmap of its output over the plane, and
// the links between them as SVG lines, coloured by the weight's sign and as
// thick as it is large. Step mode writes a number under each neuron.

import { css, divergingColor, paintValues } from './heatmap';

const NEURON_PX = 40;

export interface Diagram {
  /** Rebuilds the columns: labels of the inputs, then the units of every dense layer. */
  layout(inputs: string[], units: number[]): void;
  /** Paints neuron (layer, unit) from grid values (layer 0: the inputs). */
  paint(layer: number, unit: number, size: number, values: ArrayLike<number>, stride: number, scale: number): void;
  /** Sets every link from weights in getWeights order (kernel [in × out], then bias, per layer). */
  links(weights: Float32Array[]): void;
  /** Step mode's numbers per neuron, by layer (layer 0: the inputs); none clears them. */
  numbers(values?: ArrayLike<number>[], kind?: string): void;
}

export function createDiagram(root: HTMLElement): Diagram {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('aria-hidden', 'true');
  const columns = document.createElement('div');
  columns.className = 'columns';
  root.replaceChildren(svg, columns);
  let neurons: HTMLCanvasElement[][] = [];
  let labels: HTMLElement[][] = [];
  let lines: SVGLineElement[][] = [];

  const place = () => {
    const box = root.getBoundingClientRect();
    svg.setAttribute('width', String(root.scrollWidth));
    svg.setAttribute('height', String(root.scrollHeight));
    const center = (c: HTMLCanvasElement) => {
      const r = c.getBoundingClientRect();
      return [r.left - box.left + root.scrollLeft + r.width / 2, r.top - box.top + r.height / 2];
    };
    lines.forEach((layer, l) => layer.forEach((line, k) => {
      const outs = neurons[l + 1].length;
      const [x1, y1] = center(neurons[l][Math.floor(k / outs)]), [x2, y2] = center(neurons[l + 1][k % outs]);
      line.setAttribute('x1', String(x1 + NEURON_PX / 2));
      line.setAttribute('y1', String(y1));
      line.setAttribute('x2', String(x2 - NEURON_PX / 2));
      line.setAttribute('y2', String(y2));
    }));
  };
  new ResizeObserver(place).observe(root);

  return {
    layout(inputs, units) {
      const sizes = [inputs.length, ...units];
      const names = ['inputs', ...units.map((_, i) => (i === units.length - 1 ? 'output' : `hidden layer ${i + 1}`))];
      columns.replaceChildren();
      neurons = [];
      labels = [];
      sizes.forEach((n, l) => {
        const col = document.createElement('div');
        col.className = 'column';
        col.setAttribute('role', 'group');
        col.setAttribute('aria-label', `${names[l]}: ${n} ${l ? 'neurons' : 'features'}`);
        const title = document.createElement('p');
        title.textContent = l === 0 ? 'features' : names[l];
        col.append(title);
        neurons.push([]);
        labels.push([]);
        for (let i = 0; i < n; i++) {
          const cell = document.createElement('div');
          cell.className = 'neuron';
          const c = document.createElement('canvas');
          c.width = c.height = NEURON_PX;
          c.dataset.layer = String(l);
          c.dataset.unit = String(i);
          c.setAttribute('role', 'img');
          c.setAttribute('aria-label', l === 0 ? `feature ${inputs[i]}` : `${names[l]}, neuron ${i + 1}: its output over the plane`);
          const label = document.createElement('span');
          label.className = 'value';
          cell.append(c, label);
          if (l === 0) {
            const name = document.createElement('span');
            name.className = 'name';
            name.textContent = inputs[i];
            cell.prepend(name);
          }
          col.append(cell);
          neurons[l].push(c);
          labels[l].push(label);
        }
        columns.append(col);
      });
      svg.replaceChildren();
      lines = sizes.slice(1).map((outs, l) => Array.from({ length: sizes[l] * outs }, () => {
        const line = document.createElementNS('http://www.w3.org/2000/svg', 'line');
        svg.append(line);
        return line;
      }));
      requestAnimationFrame(place);
    },
    paint(layer, unit, size, values, stride, scale) {
      const c = neurons[layer]?.[unit];
      if (c) paintValues(c, size, values, unit, stride, scale);
    },
    links(weights) {
      lines.forEach((layer, l) => layer.forEach((line, k) => {
        const w = weights[2 * l]?.[k] ?? 0;
        line.setAttribute('stroke', css(divergingColor(w * 2)));
        line.setAttribute('stroke-width', String(Math.min(8, 0.5 + Math.abs(w) * 2).toFixed(2)));
        line.dataset.weight = String(w);
      }));
    },
    numbers(values, kind = '') {
      labels.forEach((layer, l) => layer.forEach((label, i) => {
        const v = values?.[l]?.[i];
        label.textContent = v === undefined ? '' : v.toFixed(4);
        label.title = v === undefined ? '' : `${kind} ${v}`;
        label.dataset.value = v === undefined ? '' : String(v);
      }));
    },
  };
}
