// Paints values over the plane into a canvas: one cell per grid point,
// orange for negative, white near zero, blue for positive (TF Playground's
// colours), or one hue per class for a multiclass output. Data points are
// drawn on top, training points with a white ring and test points with a dark one.

import { RADIUS, type Points } from './datasets';

const NEG = [245, 147, 34], ZERO = [232, 234, 235], POS = [8, 119, 189];
const CLASS_COLORS = [[245, 147, 34], [8, 119, 189], [47, 158, 68], [174, 62, 201], [224, 49, 49]];

function mix(a: number[], b: number[], t: number): number[] {
  return a.map((v, i) => v + (b[i] - v) * t);
}
/** The colour of v in [-1, 1]. */
export function divergingColor(v: number): number[] {
  const t = Math.max(-1, Math.min(1, v));
  return t < 0 ? mix(ZERO, NEG, -t) : mix(ZERO, POS, t);
}
export const css = (rgb: number[]) => `rgb(${rgb.map(Math.round).join(',')})`;

/** A size × size image: values scaled by 1/scale into [-1, 1]. */
export function paintValues(canvas: HTMLCanvasElement, size: number, values: ArrayLike<number>, at = 0, stride = 1, scale = 1): void {
  const image = new ImageData(size, size);
  for (let i = 0; i < size * size; i++) image.data.set([...divergingColor(values[i * stride + at] / scale), 255], i * 4);
  put(canvas, image);
}

/** Each cell in the hue of its likeliest class, paler where the network is less sure. */
export function paintClasses(canvas: HTMLCanvasElement, size: number, probs: ArrayLike<number>, classes: number): void {
  const image = new ImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[i * classes + k] > probs[i * classes + best]) best = k;
    const sure = (probs[i * classes + best] - 1 / classes) / (1 - 1 / classes);
    image.data.set([...mix(ZERO, CLASS_COLORS[best], 0.15 + 0.75 * sure), 255], i * 4);
  }
  put(canvas, image);
}

function put(canvas: HTMLCanvasElement, image: ImageData): void {
  const ctx = canvas.getContext('2d')!;
  const tmp = new OffscreenCanvas(image.width, image.height);
  tmp.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
}

/** Points over a painted canvas; classes colour them, regression labels shade them. */
export function paintPoints(canvas: HTMLCanvasElement, points: Points, ring: string, classes: number): void {
  const ctx = canvas.getContext('2d')!;
  const s = canvas.width / (2 * RADIUS);
  for (let i = 0; i < points.label.length; i++) {
    const l = points.label[i];
    ctx.fillStyle = css(classes ? CLASS_COLORS[l] : divergingColor(l));
    ctx.strokeStyle = ring;
    ctx.beginPath();
    ctx.arc((points.xy[2 * i] + RADIUS) * s, (RADIUS - points.xy[2 * i + 1]) * s, 3, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}
