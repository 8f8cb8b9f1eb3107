// TF.js export of every layer kind: tfjs-layers loads what toTfjs writes and
// predicts the same (≤ 1e-5), trained BatchNormalization state included; ONNX
// export refuses the kinds it cannot write, naming the layer.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, expect, test } from 'vitest';
import * as nn from '../../../src/index';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await nn.ready();
});

test('a model with every kind loads into tfjs-layers and predicts the same (≤ 1e-5)', async () => {
  const m = nn.sequential([
    nn.flatten({ inputShape: [2, 3] }),
    nn.dense({ units: 8, activation: 'leakyRelu', alpha: 0.05 }),
    nn.batchNormalization({ momentum: 0.8 }),
    nn.dropout({ rate: 0.3, seed: 1 }),
    nn.dense({ units: 5 }),
    nn.leakyRelu(),
    nn.activation('tanh'),
    nn.activation({ activation: 'leakyRelu', alpha: 0.2 }),
    nn.dense({ units: 3 }),
    nn.activation('softmax'),
  ], { seed: 6 });
  const flat = Array.from({ length: 20 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(i * 6 + j) * 2));
  m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: nn.adam({ learningRate: 0.01 }) });
  await m.fit(flat, flat.map((r) => (r[0] > 0 ? 1 : r[1] > 0 ? 2 : 0)), { epochs: 3, batchSize: 5 }); // moves the moving averages
  const artifacts = nn.io.toTfjs(m);
  expect((artifacts.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers.map((l) => l.class_name)).toEqual([
    'InputLayer', 'Flatten', 'Dense', 'LeakyReLU', 'BatchNormalization', 'Dropout', 'Dense', 'LeakyReLU', 'Activation', 'LeakyReLU', 'Dense', 'Activation',
  ]);
  const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as never));
  const ours = m.predict(flat).data;
  const out = tf.tidy(() => (theirs.predict(tf.tensor3d(flat.flat(), [20, 2, 3])) as tf.Tensor).dataSync());
  expect(out.length).toBe(ours.length);
  ours.forEach((v, i) => expect(Math.abs(v - out[i])).toBeLessThanOrEqual(1e-5));
});
