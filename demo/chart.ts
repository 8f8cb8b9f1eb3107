// The live training chart: batch loss (left axis) and accuracy (right axis,
// 0–1) against digits seen, each smoothed with an exponential moving average,
// and the held-out accuracy after each epoch as dots. Redraws at most once a
// frame, whatever the rate of progress messages.

const SMOOTH = 0.1;
const COLORS = { loss: '#d9480f', accuracy: '#1c7ed6', test: '#2b8a3e', axis: '#868e96' };

export interface Chart {
  /** Clears the chart for a run that will see `total` digits. */
  reset(total: number): void;
  /** (samples seen, loss, accuracy) triples. */
  add(points: Float32Array): void;
  addEpoch(samples: number, testAccuracy: number): void;
  /** The smoothed loss at the first and the latest point (NaN before any). */
  readonly firstLoss: number;
  readonly lastLoss: number;
}

export function createChart(canvas: HTMLCanvasElement): Chart {
  const ctx = canvas.getContext('2d')!;
  let total = 1, lossMax = 2.5;
  let xs: number[] = [], losses: number[] = [], accs: number[] = [], epochs: [number, number][] = [];
  let queued = false;

  const pad = { left: 40, right: 40, top: 12, bottom: 24 };
  const w = () => canvas.width - pad.left - pad.right;
  const h = () => canvas.height - pad.top - pad.bottom;
  const px = (samples: number) => pad.left + (samples / total) * w();
  const py = (v: number, max: number) => pad.top + h() * (1 - Math.min(v / max, 1));

  const line = (values: number[], max: number, color: string) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    values.forEach((v, i) => (i ? ctx.lineTo(px(xs[i]), py(v, max)) : ctx.moveTo(px(xs[i]), py(v, max))));
    ctx.stroke();
  };

  const draw = () => {
    queued = false;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = COLORS.axis;
    ctx.lineWidth = 1;
    ctx.strokeRect(pad.left, pad.top, w(), h());
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = COLORS.loss;
    ctx.textAlign = 'right';
    ctx.fillText(lossMax.toFixed(1), pad.left - 4, pad.top + 8);
    ctx.fillText('0', pad.left - 4, pad.top + h());
    ctx.fillStyle = COLORS.accuracy;
    ctx.textAlign = 'left';
    ctx.fillText('100 %', pad.left + w() + 4, pad.top + 8);
    ctx.fillText('0', pad.left + w() + 4, pad.top + h());
    ctx.fillStyle = COLORS.axis;
    ctx.textAlign = 'center';
    ctx.fillText(`digits seen (${total.toLocaleString('en')})`, pad.left + w() / 2, canvas.height - 6);
    line(losses, lossMax, COLORS.loss);
    line(accs, 1, COLORS.accuracy);
    ctx.fillStyle = COLORS.test;
    for (const [samples, acc] of epochs) {
      ctx.beginPath();
      ctx.arc(px(samples), py(acc, 1), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  };
  const redraw = () => {
    if (!queued) requestAnimationFrame(draw);
    queued = true;
  };

  draw();
  return {
    reset(n) {
      total = Math.max(1, n);
      xs = []; losses = []; accs = []; epochs = [];
      redraw();
    },
    add(points) {
      for (let i = 0; i < points.length; i += 3) {
        const k = losses.length;
        xs.push(points[i]);
        losses.push(k ? losses[k - 1] + SMOOTH * (points[i + 1] - losses[k - 1]) : points[i + 1]);
        accs.push(k ? accs[k - 1] + SMOOTH * (points[i + 2] - accs[k - 1]) : points[i + 2]);
      }
      lossMax = Math.max(2.5, Math.ceil(losses[0] ?? 0));
      redraw();
    },
    addEpoch(samples, testAccuracy) {
      epochs.push([samples, testAccuracy]);
      redraw();
    },
    get firstLoss() {
      return losses.length ? losses[0] : NaN;
    },
    get lastLoss() {
      return losses.length ? losses[losses.length - 1] : NaN;
    },
  };
}
