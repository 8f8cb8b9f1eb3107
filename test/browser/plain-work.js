// What plain.html does in the page and plain.test.ts repeats in Node on the
// same dist/index.js: build, train and reload a small seeded XOR model.

export async function trainXor(nn) {
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const y = [[0], [1], [1], [0]];
  await nn.ready();
  const model = nn.sequential([
    nn.dense({ units: 8, activation: 'tanh', inputDim: 2 }),
    nn.dense({ units: 1, activation: 'sigmoid' }),
  ], { seed: 7 });
  model.compile({ loss: 'binaryCrossentropy', optimizer: nn.adam({ learningRate: 0.05 }), metrics: ['accuracy'] });
  const before = Array.from(model.predict(x).data);
  const history = await model.fit(x, y, { epochs: 300, batchSize: 4 });
  const after = Array.from(model.predict(x).data);
  const reloaded = Array.from(nn.fromJSON(JSON.stringify(model)).predict(x).data);
  return { backend: nn.getBackend(), before, after, reloaded, loss: history.history.loss };
}
