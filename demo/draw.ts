// The drawing pad, and the step that turns a drawing into what the model was
// trained on. MNIST digits were size-normalized to fit a 20 × 20 box (aspect
// kept, anti-aliased) and then placed in 28 × 28 so that their center of mass
// is at the center: a drawing must go through the same, or a small digit in a
// corner looks like nothing the network has seen.

const SIDE = 28;
const BOX = 20;

export interface Pad {
  clear(): void;
  /** Shows a 28 × 28 digit (bytes 0–255), scaled up. */
  show(pixels: Uint8Array): void;
  /** The drawing as a model input, or null when nothing is drawn. */
  input(): Float32Array | null;
}

/** White strokes on black, as MNIST; onDraw runs on every stroke segment. */
export function createPad(canvas: HTMLCanvasElement, onDraw: () => void): Pad {
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  let last: { x: number; y: number } | null = null;

  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  const at = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * canvas.width) / r.width, y: ((e.clientY - r.top) * canvas.height) / r.height };
  };
  const stroke = (to: { x: number; y: number }) => {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = canvas.width / 13;
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(last!.x, last!.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    last = to;
    onDraw();
  };

  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
    stroke(last);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (last) stroke(at(e));
  });
  const end = () => (last = null);
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  clear();

  return {
    clear,
    show(pixels) {
      const small = document.createElement('canvas');
      small.width = small.height = SIDE;
      const image = small.getContext('2d')!.createImageData(SIDE, SIDE);
      pixels.forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
      small.getContext('2d')!.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
    },
    input() {
      const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const gray = new Float32Array(width * height);
      for (let i = 0; i < gray.length; i++) gray[i] = data[i * 4] / 255;
      return toMnist(gray, width, height);
    },
  };
}

/** A grayscale image (values in [0, 1]) as a 784-float MNIST input, or null if it is blank. */
export function toMnist(gray: Float32Array, width: number, height: number): Float32Array | null {
  // The ink's bounding box.
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x] > 0.1) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;

  // Scale the box to fit 20 × 20, averaging the source pixels under each target pixel.
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const scale = BOX / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * scale)), h = Math.max(1, Math.round(bh * scale));
  const small = new Float32Array(w * h);
  for (let ty = 0; ty < h; ty++) {
    const sy0 = y0 + Math.floor(ty / scale), sy1 = Math.max(sy0 + 1, y0 + Math.floor((ty + 1) / scale));
    for (let tx = 0; tx < w; tx++) {
      const sx0 = x0 + Math.floor(tx / scale), sx1 = Math.max(sx0 + 1, x0 + Math.floor((tx + 1) / scale));
      let sum = 0, n = 0;
      for (let sy = sy0; sy < Math.min(sy1, height); sy++) {
        for (let sx = sx0; sx < Math.min(sx1, width); sx++, n++) sum += gray[sy * width + sx];
      }
      small[ty * w + tx] = n ? sum / n : 0;
    }
  }

  // Thin or faint strokes average out grey: stretch so the darkest ink is 1, as in MNIST.
  const peak = small.reduce((a, b) => Math.max(a, b), 0);
  for (let i = 0; i < small.length; i++) small[i] /= peak;

  // Place it in 28 × 28 with its center of mass at the center.
  let mass = 0, mx = 0, my = 0;
  small.forEach((v, i) => {
    mass += v;
    mx += v * (i % w);
    my += v * Math.floor(i / w);
  });
  const clamp = (v: number, size: number) => Math.min(Math.max(v, 0), SIDE - size);
  const ox = clamp(Math.round(SIDE / 2 - 0.5 - mx / mass), w);
  const oy = clamp(Math.round(SIDE / 2 - 0.5 - my / mass), h);
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < h; y++) out.set(small.subarray(y * w, (y + 1) * w), (oy + y) * SIDE + ox);
  return out;
}
