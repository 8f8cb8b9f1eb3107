// An attack on the helper threads (src/backend/threads.ts), in a child
// process with a timeout, since a lost wake-up would hang rather than fail:
// small and large products interleaved at random with pauses in which
// helpers park, memory growing between products, models disposed and
// nn.ready switching between one and two threads mid-stream, on two and
// three threads. Every result must equal one thread's bit for bit. Then the
// helpers' start, counted through a patched worker_threads.Worker: none for
// one-row predictions, one on the first large product, and a helper that
// exits before it is up leaves one thread, not a hang, as one that is up but
// never takes a job does; a program that never yields gets its helper all
// the same; a helper whose columns trap makes the product throw, not hang.

import { expect, test } from 'vitest';
import { inChild } from '../helpers';

interface Outcome { steps: number; products: number; mismatches: string[]; shared: number; disposedRefused: number }

test('small and large products interleaved with parking, growth, dispose and thread switches neither hang nor change a bit (child process)', () => {
  const r = inChild<Outcome>(`
    const nn = await import('./src/index.ts');
    const { backend } = await import('./src/backend/index.ts');
    const { createWasmBackend } = await import('./src/backend/wasm.ts');
    const { flagsOf } = await import('./src/backend/core.ts');
    const { Random } = await import('./src/engine/random.ts');
    const rng = new Random(19);
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const rows = (n, cols) => ({ data: Float32Array.from({ length: n * cols }, () => rng.uniform(0, 1)), rows: n, cols });
    const mismatches = [];
    const same = (got, want, what) => {
      for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) { mismatches.push(what + ' at ' + i); return; }
    };

    // Raw products on teams of 2 and 3 threads against one thread.
    const one = await createWasmBackend('simd', 1);
    const teams = [await createWasmBackend('simd', 2), await createWasmBackend('simd', 3)];
    for (const t of teams) await t.team.start();
    const SHAPES = [[1, 784, 128], [2, 300, 129], [3, 500, 77], [1, 784, 64], [1, 128, 32], [64, 784, 128], [1, 6000, 800]];
    const inputs = SHAPES.map(([m, k, n]) => [rows(m, k).data, rows(k, n).data, rows(1, n).data]);
    const product = (be, s, [m, k, n]) => be.withBuffers([m * k, k * n, n, m * n], (pa, pb, pbias, pc) => {
      be.heap.write(pa, inputs[s][0]); be.heap.write(pb, inputs[s][1]); be.heap.write(pbias, inputs[s][2]);
      be.gemm(pa, pb, pc, pbias, m, k, n, flagsOf({}));
      return be.heap.read(pc, m * n);
    });
    const wants = SHAPES.map((shape, s) => product(one, s, shape));
    let products = 0;
    const grown = [];
    for (let step = 0; step < 400; step++) {
      const be = teams[rng.int(2)];
      const roll = rng.int(20);
      if (roll === 0) await sleep(rng.int(4)); // helpers park
      if (roll === 1) grown.push([be, be.heap.alloc((1 + rng.int(8)) << 20)]); // the shared memory grows between products
      if (roll === 2 && grown.length) { const [owner, p] = grown.pop(); owner.heap.release(p); }
      const burst = 1 + rng.int(12);
      for (let i = 0; i < burst; i++) {
        const s = rng.int(10) < 8 ? rng.int(5) : 5 + rng.int(2); // mostly small
        same(product(be, s, SHAPES[s]), wants[s], 'raw ' + SHAPES[s].join('×') + ' on ' + be.threads);
        products++;
      }
    }

    // Predictions through the public API, switching threads and disposing models mid-stream.
    await nn.ready({ threads: 1 });
    const layers = () => [nn.dense({ units: 128, activation: 'relu', inputDim: 784 }), nn.dense({ units: 10, activation: 'softmax' })];
    const ref = nn.sequential(layers(), { seed: 3 });
    const x1 = rows(1, 784), x64 = rows(64, 784);
    const want1 = ref.predict(x1).data, want64 = ref.predict(x64).data;
    const make = () => { const m = nn.sequential(layers(), { seed: 4 }); m.setWeights(ref.getWeights()); return m; };
    let models = [make()], disposedRefused = 0, steps = 0;
    for (; steps < 300; steps++) {
      const roll = rng.int(12);
      if (roll === 0) await nn.ready({ threads: 1 + rng.int(2) });
      if (roll === 1) await sleep(rng.int(4));
      if (roll === 2 || models.length === 0) models.push(make());
      if (roll === 3 && models.length > 0) {
        const gone = models.splice(rng.int(models.length), 1)[0];
        gone.dispose();
        try { gone.predict(x1); } catch (e) { if (e instanceof nn.DisposedError) disposedRefused++; }
        if (models.length === 0) models.push(make());
      }
      const model = models[rng.int(models.length)];
      const burst = 1 + rng.int(10);
      for (let i = 0; i < burst; i++) {
        if (rng.int(6) === 0) same(model.predict(x64).data, want64, 'predict 64');
        else same(model.predict(x1).data, want1, 'predict 1');
      }
    }
    await nn.ready({ threads: 2 });
    const two = backend();
    console.log(JSON.stringify({
      steps, products, mismatches: mismatches.slice(0, 5), disposedRefused,
      shared: teams.reduce((sum, t) => sum + t.team.shared, 0) + two.team.shared,
    }));
  `, 240_000);
  expect(r.mismatches).toEqual([]);
  expect(r.steps).toBe(300);
  expect(r.products).toBeGreaterThan(400);
  expect(r.disposedRefused).toBeGreaterThan(0);
  expect(r.shared).toBeGreaterThan(0); // the large products at least
});

/**
 * A child that counts the helper workers made, through a patched worker_threads.Worker (`mode`: 'count'; 'exit':
 * each exits before it is up; 'idle': each reports up, in shared memory and by message, then never serves;
 * 'second-throws': the second cannot be made).
 */
const COUNTING = (mode: string) => `
  const wt = (await import('node:worker_threads')).default;
  const { syncBuiltinESMExports } = await import('node:module');
  const Original = wt.Worker;
  // READY is the last word of the helper's control block (threads.ts); then it blocks for good.
  const IDLE = \`import('node:worker_threads').then(({ workerData: d, parentPort }) => {
    Atomics.store(new Int32Array(d.control), (d.index + 1) * 16 + 15, 1);
    parentPort.postMessage('ready');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });\`;
  let made = 0;
  wt.Worker = class extends Original {
    constructor(source, options) {
      made++;
      if (${JSON.stringify(mode)} === 'second-throws' && made === 2) throw new Error('no second worker here');
      super(${JSON.stringify(mode)} === 'exit' ? 'process.exit(0)' : ${JSON.stringify(mode)} === 'idle' ? IDLE : source, options);
    }
  };
  syncBuiltinESMExports();
  const nn = await import('./src/index.ts');
  const { backend } = await import('./src/backend/index.ts');
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // Made after nn.ready: a model is built on the core current when it is made.
  const mnistNet = () => nn.sequential([nn.dense({ units: 128, activation: 'relu', inputDim: 784 }), nn.dense({ units: 10 })], { seed: 4 });
  const rows = (n) => ({ data: Float32Array.from({ length: n * 784 }, (_, i) => (i % 97) / 97), rows: n, cols: 784 });
`;

test('helpers start on the first large product only: one-row predictions make no worker, 1 000 rows make one (child process)', () => {
  const r = inChild<{ afterOneRows: number; afterBig: number; threads: number; shared: number; same: boolean }>(`${COUNTING('count')}
    await nn.ready({ threads: 2 });
    const model = mnistNet();
    for (let i = 0; i < 50; i++) { model.predict(rows(1)); if (i % 10 === 0) await sleep(5); }
    const afterOneRows = made;
    const big = model.predict(rows(1000)).data;
    await backend().team.start();
    const again = model.predict(rows(1000)).data;
    const same = big.every((v, i) => Object.is(v, again[i]));
    console.log(JSON.stringify({ afterOneRows, afterBig: made, threads: nn.getThreads(), shared: backend().team.shared, same }));
  `, 120_000);
  expect(r).toEqual({ afterOneRows: 0, afterBig: 1, threads: 2, shared: 4, same: true }); // 1 000 rows: 4 chunks of 256, each shared once the helper is up
});

test('a helper that exits before it is up: the team settles on one thread, with the same bits, and nothing hangs (child process)', () => {
  const r = inChild<{ made: number; threads: number; shared: number; same: boolean }>(`${COUNTING('exit')}
    await nn.ready({ threads: 2 });
    const model = mnistNet();
    const before = model.predict(rows(1000)).data; // starts the helper, which exits
    await backend().team.start();
    const after = model.predict(rows(1000)).data;
    console.log(JSON.stringify({ made, threads: nn.getThreads(), shared: backend().team.shared, same: before.every((v, i) => Object.is(v, after[i])) }));
  `, 60_000);
  expect(r).toEqual({ made: 1, threads: 1, shared: 0, same: true });
});

test('helpers that report up but never take a job (stopped, or never given the CPU) are not waited for: this thread runs every chunk and takes the jobs back, with the same bits (child process)', () => {
  const r = inChild<{ made: number; shared: number; takenBack: number; mismatches: string[] }>(`${COUNTING('idle')}
    const { createWasmBackend } = await import('./src/backend/wasm.ts');
    const { flagsOf } = await import('./src/backend/core.ts');
    await nn.ready({ threads: 3 });
    await backend().team.start();
    const three = backend(), one = await createWasmBackend(nn.getBuild(), 1);
    const mismatches = [];
    for (const [m, k, n] of [[64, 784, 128], [256, 256, 256], [100, 1400, 33], [5, 300, 3000]]) {
      const values = (count) => Float32Array.from({ length: count }, (_, i) => ((i * 7919) % 997) / 997 - 0.5);
      const a = values(m * k), b = values(k * n);
      for (const transB of [false, true]) {
        const product = (be) => be.withBuffers([m * k, k * n, m * n], (pa, pb, pc) => {
          be.heap.write(pa, a); be.heap.write(pb, b);
          be.gemm(pa, pb, pc, 0, m, k, n, flagsOf({ transB }));
          return be.heap.read(pc, m * n);
        });
        const got = product(three), want = product(one);
        if (!got.every((v, i) => Object.is(v, want[i]))) mismatches.push([m, k, n, transB].join(' '));
      }
    }
    console.log(JSON.stringify({ made, shared: three.team.shared, takenBack: three.team.takenBack, mismatches }));
  `, 60_000);
  // 8 products shared, each posted to both helpers (n = 33: to one, in two column chunks), and taken back from all.
  expect(r).toEqual({ made: 2, shared: 8, takenBack: 14, mismatches: [] });
});

test('a program that never yields after nn.ready still gets its helper: it reports in shared memory (child process)', () => {
  const r = inChild<{ made: number; calls: number; shared: number; same: boolean }>(`${COUNTING('count')}
    await nn.ready({ threads: 1 });
    const want = mnistNet().predict(rows(300)).data;
    await nn.ready({ threads: 2 });
    const model = mnistNet();
    // No await from here on: the helper's message is never delivered, its word in shared memory is seen.
    let calls = 0, same = true;
    while (backend().team.shared === 0 && calls < 100000) {
      const got = model.predict(rows(300)).data; // 256 rows of 784×128: large enough to share
      same &&= got.every((v, i) => Object.is(v, want[i]));
      calls++;
    }
    console.log(JSON.stringify({ made, calls, shared: backend().team.shared, same }));
  `, 180_000);
  expect(r.made).toBe(1);
  expect(r.shared).toBeGreaterThan(0);
  expect(r.calls).toBeLessThan(100000);
  expect(r.same).toBe(true);
});

test('a second helper that cannot be made: the first is stopped, the team is one thread, and no rejection goes unheard (child process)', () => {
  const r = inChild<{ made: number; threads: number; same: boolean }>(`${COUNTING('second-throws')}
    await nn.ready({ threads: 3 });
    const model = mnistNet();
    const before = model.predict(rows(1000)).data; // makes the first helper, then fails on the second
    await backend().team.start();
    await sleep(200); // the stopped helper's exit, which an unheard rejection would crash the process on
    const after = model.predict(rows(1000)).data;
    console.log(JSON.stringify({ made, threads: nn.getThreads(), same: before.every((v, i) => Object.is(v, after[i])) }));
  `, 60_000);
  expect(r).toEqual({ made: 2, threads: 1, same: true });
});

test('a helper whose columns trap (C out of bounds) does not hang the caller: the product throws, as on one thread, and the next is shared with one thread\'s bits (child process)', () => {
  const r = inChild<{ errors: string[]; state: number; takenBack: number; shared: number; same: boolean }>(`
    const { createWasmBackend } = await import('./src/backend/wasm.ts');
    const { NONE } = await import('./src/backend/core.ts');
    const two = await createWasmBackend('simd', 2), one = await createWasmBackend('simd', 1);
    await two.team.start();
    const team = two.team, { core, control } = team;
    const [m, k, n] = [128, 784, 48];
    const values = (count) => Float32Array.from({ length: count }, (_, i) => ((i * 7919) % 997) / 997 - 0.5);
    const product = (be) => be.withBuffers([m * k, k * n, m * n], (pa, pb, pc) => {
      be.heap.write(pa, values(m * k)); be.heap.write(pb, values(k * n));
      be.gemm(pa, pb, pc, NONE, m, k, n, 0);
      return be.heap.read(pc, m * n);
    });
    const want = product(one);
    product(two); // the helper's scratch made: the memory does not grow under the C below
    const takenBefore = team.takenBack;
    // Two chunks: this thread computes nothing of its own and holds its chunk until the helper has taken the other.
    team.core = { ...core, gemmColumns: () => { while (Atomics.load(control, 0) < 2); } };
    const errors = [];
    for (let i = 0; i < 2; i++) {
      two.withBuffers([m * k, k * n], (pa, pb) => {
        const c = team.memory.buffer.byteLength - 16; // C past the memory's end: every column traps
        try { two.gemm(pa, pb, c, NONE, m, k, n, 0); } catch (e) { errors.push(e.constructor.name + ': ' + e.message); }
      });
    }
    team.core = core;
    const state = Atomics.load(control, 16 + 1), takenBack = team.takenBack - takenBefore, shared = team.shared;
    const got = product(two);
    console.log(JSON.stringify({ errors, state, takenBack, shared: team.shared - shared, same: got.every((v, i) => Object.is(v, want[i])) }));
  `, 60_000);
  const trapped = 'RuntimeError: nnwasm: a GEMM helper thread trapped on its columns of this product (an operand out of bounds)';
  // Both times the helper took its job and trapped (none taken back), and it still serves.
  expect(r).toEqual({ errors: [trapped, trapped], state: 0, takenBack: 0, shared: 1, same: true });
});
