// The page's two small charts, drawn on canvases in the demo's style: lines
// against the epoch (train and test loss; the three descents side by side),
// and a scatter of random-search trials (learning rate on a log axis, score
// up). Each redraws at most once a frame.

const AXIS = '#868e96';
const SERIES_COLORS = ['#d9480f', '#1c7ed6', '#2b8a3e', '#ae3ec9', '#495057'];

export interface Series {
  name: string;
  values: number[];
}

function frame(canvas: HTMLCanvasElement, xLabel: string, yTop: string, yBottom: string) {
  const ctx = canvas.getContext('2d')!;
  const pad = { left: 44, right: 10, top: 10, bottom: 22 };
  const w = canvas.width - pad.left - pad.right, h = canvas.height - pad.top - pad.bottom;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = AXIS;
  ctx.lineWidth = 1;
  ctx.strokeRect(pad.left, pad.top, w, h);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = AXIS;
  ctx.textAlign = 'right';
  ctx.fillText(yTop, pad.left - 4, pad.top + 8);
  ctx.fillText(yBottom, pad.left - 4, pad.top + h);
  ctx.textAlign = 'center';
  ctx.fillText(xLabel, pad.left + w / 2, canvas.height - 6);
  return { ctx, pad, w, h };
}

const nice = (v: number) => (v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2));

/** Lines of values against their index (the epoch), on one shared y axis from 0. */
export function createLineChart(canvas: HTMLCanvasElement, xLabel: string) {
  let series: Series[] = [];
  let queued = false;
  const draw = () => {
    queued = false;
    const count = Math.max(0, ...series.map((s) => s.values.length)), n = Math.max(2, count);
    const finite = series.flatMap((s) => s.values).filter(Number.isFinite);
    const max = finite.length ? Math.max(1e-6, ...finite.slice(0, 4), ...finite.slice(-200)) : 1;
    const { ctx, pad, w, h } = frame(canvas, count ? `${xLabel} 1 to ${count}` : xLabel, nice(max), '0');
    series.forEach((s, k) => {
      ctx.strokeStyle = SERIES_COLORS[k % SERIES_COLORS.length];
      ctx.lineWidth = 2;
      ctx.beginPath();
      const step = Math.max(1, Math.floor(s.values.length / w));
      for (let i = 0; i < s.values.length; i += step) {
        const x = pad.left + (i / (n - 1)) * w, y = pad.top + h * (1 - Math.min(1, Math.max(0, s.values[i] / max)));
        if (i) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
      }
      ctx.stroke();
    });
  };
  draw();
  return {
    set(next: Series[]) {
      series = next;
      if (!queued) requestAnimationFrame(draw);
      queued = true;
    },
  };
}

export interface TrialPoint {
  learningRate: number;
  batchSize: number;
  score: number;
}

/** Trials as dots: x the learning rate (log scale, lo…hi), y the score; the best ringed; `legend` names the dots' colours. */
export function createTrialChart(canvas: HTMLCanvasElement, lo: number, hi: number, batchSizes: readonly number[], legend: HTMLElement) {
  legend.replaceChildren('batch size:', ...batchSizes.flatMap((size, k) => {
    const key = document.createElement('span');
    key.className = 'dot';
    key.style.color = SERIES_COLORS[k % SERIES_COLORS.length];
    key.textContent = String(size);
    return [' ', key];
  }));
  let trials: TrialPoint[] = [];
  let best: TrialPoint | undefined;
  const draw = () => {
    const scores = trials.map((t) => t.score).filter(Number.isFinite);
    const top = scores.length ? Math.max(1e-6, ...scores) : 1;
    const { ctx, pad, w, h } = frame(canvas, `learning rate, ${lo} to ${hi} (log scale)`, nice(top), '0');
    const at = (t: TrialPoint) => [
      pad.left + (Math.log(t.learningRate / lo) / Math.log(hi / lo)) * w,
      pad.top + h * (1 - Math.min(1, Math.max(0, (Number.isFinite(t.score) ? t.score : top) / top))),
    ];
    for (const t of trials) {
      const [x, y] = at(t);
      ctx.fillStyle = SERIES_COLORS[batchSizes.indexOf(t.batchSize) % SERIES_COLORS.length];
      ctx.beginPath();
      ctx.arc(x, y, 4, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (best) {
      const [x, y] = at(best);
      ctx.strokeStyle = '#212529';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x, y, 7, 0, 2 * Math.PI);
      ctx.stroke();
    }
  };
  draw();
  return {
    reset() {
      trials = [];
      best = undefined;
      requestAnimationFrame(draw);
    },
    add(t: TrialPoint) {
      trials.push(t);
      requestAnimationFrame(draw);
    },
    setBest(t: TrialPoint) {
      best = t;
      requestAnimationFrame(draw);
    },
  };
}
