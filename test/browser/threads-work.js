// The work threads.html does in the page and threads.test.ts repeats in
// Node: a product large enough to be shared, and a few epochs of training,
// on nn.ready({ threads }) and again on one thread.

/** Seeded uniform floats in [0, 1): the same in every engine. */
function floats(n, seed) {
  const out = new Float32Array(n);
  for (let i = 0, s = seed >>> 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

async function work(nn, threads, untilShared) {
  await nn.ready({ threads });
  const a = new nn.Matrix(64, 512, floats(64 * 512, 1));
  const b = new nn.Matrix(512, 256, floats(512 * 256, 2));
  const product = nn.ops.matmul(a, b).data; // the first large product: it starts the helpers
  if (untilShared && threads > 1) await untilShared(() => nn.ops.matmul(a, b));
  const model = nn.sequential([
    nn.dense({ units: 128, activation: 'relu', inputDim: 784 }),
    nn.dense({ units: 10, activation: 'softmax' }),
  ], { seed: 3 });
  model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.sgd({ learningRate: 0.1 }) });
  const x = new nn.Matrix(128, 784, floats(128 * 784, 4));
  const y = Int32Array.from(floats(128, 5), (v) => Math.floor(v * 10));
  await model.fit(x, y, { epochs: 3, batchSize: 64 }); // 64×784×128 products: large enough to share
  const weights = model.getWeights().flatMap((w) => Array.from(w.data));
  return { threads: nn.getThreads(), product: Array.from(product), weights };
}

/**
 * The work on `threads` threads, then on one. `untilShared(product)`, if
 * given, is awaited after the first large product, which started the
 * helpers: a page yields there until they are up.
 */
export async function compare(nn, threads, untilShared) {
  const many = await work(nn, threads, untilShared);
  const one = await work(nn, 1);
  return { many, one };
}
