// Attacks on what changed for issue #19: the few-rows GEMM path (a single
// prediction), predict's finiteness check in the heap (first 256 rows by the
// core's SIMD column sums), and the helper threads loaded as a chunk of their
// own. Each attack runs in a child process with a timeout, so a hang fails the
// test instead of stalling the run. Outputs are compared with Object.is, bit
// for bit, against the same rows inside a batch of 8 or against one thread.
//
// Found and not fixed (docs/PERFORMANCE.md, Threads; docs/ARCHITECTURE.md):
// a row of +0 with a bias of -0 gives -0 on 1 to 3 rows where a batch of 8
// narrower than 32 columns gives +0 (zero skipping, older than issue #19's
// changes); a helper thread that dies after starting hangs the next large
// product; every thread count nn.ready was asked for keeps its helpers.

import { expect, test } from 'vitest';
import { inChild } from '../helpers';

/** Code shared by the children: random data and an Object.is comparison. */
const PRELUDE = `
  const nn = await import('./src/index.ts');
  const { Random } = await import('./src/engine/random.ts');
  const rng = new Random(19);
  const pick = (a) => a[rng.int(a.length)];
  const firstDiff = (got, want) => { for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return i; return got.length === want.length ? -1 : want.length; };
  const show = (v) => (Object.is(v, -0) ? '-0' : String(v));
  const dense = (k, n, W, b) => {
    const m = nn.sequential([nn.dense({ units: n, inputDim: k })], { seed: 1 });
    m.setWeights([{ data: W, rows: k, cols: n }, { data: b, rows: 1, cols: n }]);
    return m;
  };
`;

interface Diffs { cases: number; diffs: string[] }

test('1 to 3 rows with huge, denormal, -0 and zero weights and sparse, all-zero, -0, denormal and huge inputs equal the same rows in a batch of 8, bit for bit (child process)', () => {
  const r = inChild<Diffs>(`${PRELUDE}
    const SPECIAL = [0, -0, 1e-40, -1e-42, 1e-45, 3e38, -3e38, 1e-30, 1, -1];
    const KINDS = ['dense', 'zero', 'single', 'negzero', 'denorm', 'huge', 'sparse'];
    const entry = (kind) => {
      if (kind === 'zero' || kind === 'single') return rng.int(2) ? 0 : -0;
      if (kind === 'negzero') return rng.int(2) ? -0 : rng.uniform(-2, 2);
      if (kind === 'denorm') return rng.int(2) ? pick([1e-40, -1e-42, 1e-45]) : rng.uniform(-2, 2);
      if (kind === 'huge') return rng.int(3) ? rng.uniform(-2, 2) : pick([3e38, -3e38, 1e30]);
      if (kind === 'sparse') return rng.int(5) ? 0 : rng.uniform(-2, 2);
      return rng.uniform(-2, 2);
    };
    const row = (k, kind) => {
      const x = Float32Array.from({ length: k }, () => entry(kind));
      if (kind === 'single') x[rng.int(k)] = rng.uniform(-2, 2);
      return x;
    };
    const diffs = [];
    let cases = 0;
    for (const k of [1, 2, 3, 4, 5, 7, 8, 31, 63, 64, 65, 127, 128, 129, 255, 256, 257, 500, 783, 784, 1000]) {
      for (let n = 1; n <= 40; n++) {
        if (rng.int(3)) continue; // a random third of the grid
        const special = rng.int(2) === 1;
        const W = Float32Array.from({ length: k * n }, () => (special && !rng.int(3) ? pick(SPECIAL) : rng.uniform(-1, 1)));
        // Biases of -0 are the other test's finding; here a bias is any other value.
        const b = Float32Array.from({ length: n }, () => (rng.int(4) ? rng.uniform(-1, 1) : pick(SPECIAL.filter((v) => !Object.is(v, -0)))));
        const m = dense(k, n, W, b);
        const kinds = Array.from({ length: 8 }, () => pick(KINDS));
        const X = new Float32Array(8 * k);
        kinds.forEach((kind, i) => X.set(row(k, kind), i * k));
        const batch = m.predict({ data: X, rows: 8, cols: k }).data;
        for (const few of [1, 2, 3]) {
          cases++;
          const got = m.predict({ data: X.slice(0, few * k), rows: few, cols: k }).data;
          const at = firstDiff(got, batch.subarray(0, few * n));
          if (at >= 0) diffs.push(\`k=\${k} n=\${n} rows=\${few} (\${kinds.slice(0, few)}) at \${at}: \${show(got[at])} vs \${show(batch[at])}\`);
        }
        m.dispose();
      }
    }
    console.log(JSON.stringify({ cases, diffs: diffs.slice(0, 10) }));
  `, 300_000);
  expect(r.diffs).toEqual([]);
  expect(r.cases).toBeGreaterThan(500);
});

interface Checks { tried: number; wrong: string[]; unchanged: boolean; samePrediction: boolean }

test("predict's finiteness check: NaN and ±Infinity at every boundary row, in every input form, refused with a ValueError naming the row and column, the model unchanged (child process)", () => {
  const r = inChild<Checks>(`${PRELUDE}
    const m = nn.sequential([nn.dense({ units: 2, inputDim: 3 })], { seed: 1 });
    const before = JSON.stringify(m.getWeights().map((w) => Array.from(w.data)));
    const probe = [[0.5, -1, 2]];
    const reference = m.predict(probe).data;
    const wrong = [];
    let tried = 0;
    const refuses = (label, call, says) => {
      tried++;
      try { call(); wrong.push(label + ': accepted'); }
      catch (e) {
        if (!(e instanceof nn.NnError)) wrong.push(label + ': untyped ' + e);
        else if (!says.test(e.message)) wrong.push(label + ': says ' + e.message);
      }
    };
    const FORMS = {
      'number[][]': (a) => a,
      Float32Array: (a) => ({ data: Float32Array.from(a.flat()), rows: a.length, cols: 3 }),
      Float64Array: (a) => ({ data: Float64Array.from(a.flat()), rows: a.length, cols: 3 }),
      Matrix: (a) => nn.Matrix.from(a),
      'offset subarray': (a) => ({ data: (() => { const f = new Float32Array(a.length * 3 + 8); f.set(a.flat(), 5); return f.subarray(5, 5 + a.length * 3); })(), rows: a.length, cols: 3 }),
      SharedArrayBuffer: (a) => { const f = new Float32Array(new SharedArrayBuffer(a.length * 12)); f.set(a.flat()); return { data: f, rows: a.length, cols: 3 }; },
    };
    for (const n of [1, 2, 3, 4, 64, 255, 256, 257, 300, 511, 512, 513]) {
      for (const at of [0, 1, n - 1, 254, 255, 256, 257, 300].filter((i, j, all) => i < n && all.indexOf(i) === j)) {
        for (const bad of [NaN, Infinity, -Infinity, 1e39]) {
          const col = at % 3;
          // An infinity, or 1e39 (Infinity as a float32), says why.
          const tail = Number.isNaN(bad) ? '' : " [(]infinite, or beyond float32's ±3[.]4e38[)]";
          for (const [form, make] of Object.entries(FORMS)) {
            const a = Array.from({ length: n }, (_, i) => [i / 100, 1, -2]);
            a[at][col] = bad;
            refuses(\`\${form} rows=\${n} [\${at}, \${col}] = \${bad}\`, () => m.predict(make(a)),
              new RegExp('^predict: x: expected finite numbers, got (NaN|-?Infinity) at row ' + at + ', column ' + col + tail + '$'));
          }
          const flat = new Float32Array(n * 3).fill(0.25);
          flat[at * 3 + col] = bad;
          refuses(\`predictInto rows=\${n} [\${at}, \${col}] = \${bad}\`, () => m.predictInto(flat, new Float32Array(n * 2)),
            new RegExp('^predictInto: x: expected finite numbers, got .* at row ' + at + ', column ' + col + tail + '$'));
        }
      }
    }
    refuses('rows lie (fewer)', () => m.predict({ data: new Float32Array(6), rows: 3, cols: 3 }), /^predict: x\\.data: expected 3 × 3 = 9 values, got 6$/);
    refuses('rows lie (more)', () => m.predict({ data: new Float32Array(9), rows: 2, cols: 3 }), /^predict: x\\.data: expected 2 × 3 = 6 values, got 9$/);
    refuses('cols lie', () => m.predict({ data: new Float32Array(12), rows: 3, cols: 4 }), /expected .*3.*got .*4/);
    refuses('rows NaN', () => m.predict({ data: new Float32Array(9), rows: NaN, cols: 3 }), /^predict: x\\.rows: expected a whole number ≥ 0, got NaN$/);
    refuses('predictInto out too long', () => m.predictInto(Float32Array.from([1, 2, 3]), new Float32Array(3)), /^predictInto: out: expected 1 × 2 = 2 values, got 3$/);
    refuses('predictInto out too short', () => m.predictInto(Float32Array.from([1, 2, 3]), new Float32Array(1)), /^predictInto: out: expected 1 × 2 = 2 values, got 1$/);
    refuses('predictInto ragged x', () => m.predictInto(Float32Array.from([1, 2, 3, 4]), new Float32Array(2)), /^predictInto: x: expected whole rows of 3 inputs, got 4 values$/);
    const shared = new Float32Array(8);
    refuses('predictInto out aliasing x', () => m.predictInto(shared.subarray(0, 3), shared.subarray(2, 4)), /^predictInto: out: expected a buffer apart from x's/);
    refuses('predictInto out Float64Array', () => m.predictInto(Float32Array.from([1, 2, 3]), new Float64Array(2)), /^predictInto: out: expected a Float32Array/);
    const unchanged = JSON.stringify(m.getWeights().map((w) => Array.from(w.data))) === before;
    const samePrediction = firstDiff(m.predict(probe).data, reference) < 0;
    console.log(JSON.stringify({ tried, wrong: wrong.slice(0, 10), unchanged, samePrediction }));
  `, 240_000);
  expect(r.wrong).toEqual([]);
  expect(r.tried).toBeGreaterThan(1000);
  expect(r.unchanged).toBe(true);
  expect(r.samePrediction).toBe(true);
});

interface Stress { steps: number; checks: number; mismatches: string[]; disposed: number; switches: number; fits: number; shared: number }

test('threads: predict 1 / 3 / predictInto interleaved with predict 1000, racing fits, thread switches, disposes, memory growth, many models and a timer storm neither hang nor change a bit (child process)', () => {
  const r = inChild<Stress>(`${PRELUDE}
    const { backend } = await import('./src/backend/index.ts');
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const rows = (n, c) => ({ data: Float32Array.from({ length: n * c }, () => rng.uniform(0, 1)), rows: n, cols: c });
    const layers = () => [nn.dense({ units: 256, activation: 'relu', inputDim: 784 }), nn.dense({ units: 128, activation: 'relu' }), nn.dense({ units: 10, activation: 'softmax' })];
    const mismatches = [];
    let checks = 0;
    const same = (got, want, what) => { checks++; if (firstDiff(got, want) >= 0) mismatches.push(what); };
    await nn.ready({ threads: 1 });
    const ref = nn.sequential(layers(), { seed: 3 });
    const W = ref.getWeights();
    const x1 = rows(1, 784), x3 = rows(3, 784), x1000 = rows(1000, 784), xf = rows(256, 784);
    const yf = Array.from({ length: 256 }, () => rng.int(10));
    const [w1, w3, w1000] = [x1, x3, x1000].map((x) => ref.predict(x).data);
    const fitted = async () => {
      const m = nn.sequential(layers(), { seed: 3 });
      m.setWeights(W);
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      await m.fit(xf, yf, { epochs: 1, batchSize: 128, shuffle: false });
      const weights = JSON.stringify(m.getWeights().map((w) => Array.from(w.data)));
      m.dispose();
      return weights;
    };
    const wFit = await fitted();
    await nn.ready({ threads: 2 });
    await backend().team?.start();
    let shared = 0;
    const make = () => { const m = nn.sequential(layers(), { seed: 9 }); m.setWeights(W); return m; };
    const models = [make(), make()];
    let storm = true;
    (function tick() { if (storm) setTimeout(tick, 0); })();
    const intervals = Array.from({ length: 20 }, () => setInterval(() => {}, 1));
    const out = new Float32Array(10);
    let steps = 0, disposed = 0, switches = 0, fits = 0;
    const racing = [];
    for (; steps < 200; steps++) {
      const roll = rng.int(16);
      if (roll === 0) { shared += backend().team?.shared ?? 0; await nn.ready({ threads: 1 + rng.int(2) }); switches++; }
      if (roll === 1) await sleep(rng.int(3));
      if (roll === 2) { models.splice(rng.int(models.length), 1)[0].dispose(); disposed++; models.push(make()); }
      if (roll === 3) racing.push(fitted().then((w) => { fits++; if (w !== wFit) mismatches.push('fit'); }));
      if (roll === 4) { const big = make(); same(big.predict(x1000).data, w1000, 'fresh model, predict 1000'); big.dispose(); }
      if (roll === 5) for (let j = 0; j < 30; j++) models.push(make());
      if (models.length > 40) for (const m of models.splice(0, 30)) m.dispose();
      const m = models[rng.int(models.length)];
      for (let b = 0, burst = 1 + rng.int(20); b < burst; b++) {
        const kind = rng.int(10);
        if (kind < 5) same(m.predict(x1).data, w1, 'predict 1');
        else if (kind < 7) { m.predictInto(x1.data, out); same(out, w1, 'predictInto 1'); }
        else if (kind < 9) same(m.predict(x3).data, w3, 'predict 3');
        else same(m.predict(x1000).data, w1000, 'predict 1000');
      }
    }
    await Promise.all(racing);
    storm = false;
    intervals.forEach(clearInterval);
    shared += backend().team?.shared ?? 0;
    console.log(JSON.stringify({ steps, checks, mismatches: mismatches.slice(0, 5), disposed, switches, fits, shared }));
    process.exit(0);
  `, 300_000);
  expect(r.mismatches).toEqual([]);
  expect(r.steps).toBe(200);
  expect(r.checks).toBeGreaterThan(1000);
  expect(r.fits).toBeGreaterThan(0);
  expect(r.switches).toBeGreaterThan(0);
  expect(r.shared).toBeGreaterThan(0);
});

test('threads: with another process busy-looping on the cores, 2 threads give one thread\'s bits and finish (child process)', () => {
  const r = inChild<{ checks: number; bad: number; shared: number }>(`${PRELUDE}
    const { spawn } = await import('node:child_process');
    const busy = spawn(process.execPath, ['-e', 'for (const end = Date.now() + 120000; Date.now() < end;);'], { stdio: 'ignore' });
    try {
      const { backend } = await import('./src/backend/index.ts');
      const layers = () => [nn.dense({ units: 128, activation: 'relu', inputDim: 784 }), nn.dense({ units: 10 })];
      await nn.ready({ threads: 1 });
      const ref = nn.sequential(layers(), { seed: 2 });
      const x1 = { data: Float32Array.from({ length: 784 }, () => rng.uniform(0, 1)), rows: 1, cols: 784 };
      const xb = { data: Float32Array.from({ length: 600 * 784 }, () => rng.uniform(0, 1)), rows: 600, cols: 784 };
      const w1 = ref.predict(x1).data, wb = ref.predict(xb).data;
      await nn.ready({ threads: 2 });
      const team = backend().team;
      await team.start();
      const m = nn.sequential(layers(), { seed: 5 });
      m.setWeights(ref.getWeights());
      let checks = 0, bad = 0;
      const eq = (got, want) => { checks++; if (firstDiff(got, want) >= 0) bad++; };
      for (let i = 0; i < 300; i++) {
        eq(m.predict(x1).data, w1);
        if (i % 7 === 0) eq(m.predict(xb).data, wb);
        if (i % 31 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      }
      console.log(JSON.stringify({ checks, bad, shared: team.shared }));
    } finally { busy.kill(); }
    process.exit(0);
  `, 180_000);
  expect(r.bad).toBe(0);
  expect(r.checks).toBe(300 + 43);
  expect(r.shared).toBeGreaterThan(0);
});

test('threads: predictions of a model from timers while it fits, and nn.ready switching 1 ⇄ 2 threads mid-fit, leave the fit\'s weights those of one thread alone (child process)', () => {
  const r = inChild<{ predicted: number; sameWhilePredicting: boolean; sameWhileSwitching: boolean }>(`${PRELUDE}
    const layers = () => [nn.dense({ units: 256, activation: 'relu', inputDim: 784 }), nn.dense({ units: 10, activation: 'softmax' })];
    const x = { data: Float32Array.from({ length: 512 * 784 }, () => rng.uniform(0, 1)), rows: 512, cols: 784 };
    const y = Array.from({ length: 512 }, () => rng.int(10));
    const x1 = { data: x.data.slice(0, 784), rows: 1, cols: 784 };
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    const fitWhile = async (during) => {
      const m = nn.sequential(layers(), { seed: 4 });
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      const fit = m.fit(x, y, { epochs: 2, batchSize: 64, shuffle: false });
      const extra = await during(m);
      await fit;
      const weights = JSON.stringify(m.getWeights().map((w) => Array.from(w.data)));
      m.dispose();
      return [weights, extra];
    };
    await nn.ready({ threads: 1 });
    const [alone] = await fitWhile(async () => 0);
    await nn.ready({ threads: 2 });
    const [whilePredicting, predicted] = await fitWhile(async (m) => {
      let n = 0;
      for (let i = 0; i < 40; i++) { await tick(); m.predict(x1); n++; }
      return n;
    });
    const [whileSwitching] = await fitWhile(async () => {
      for (let i = 0; i < 10; i++) { await nn.ready({ threads: 1 + (i % 2) }); await tick(); }
    });
    console.log(JSON.stringify({ predicted, sameWhilePredicting: whilePredicting === alone, sameWhileSwitching: whileSwitching === alone }));
    process.exit(0);
  `, 240_000);
  expect(r.predicted).toBe(40);
  expect(r.sameWhilePredicting).toBe(true);
  expect(r.sameWhileSwitching).toBe(true);
});
