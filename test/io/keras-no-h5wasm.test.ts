// Where h5wasm cannot be loaded (a page without a bundler, a failed chunk
// download, a trimmed install): reading a Keras file is refused with a
// ConfigError naming h5wasm, and a later call tries to load it again.

import { afterEach, expect, test, vi } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../src/errors';

afterEach(() => {
  vi.doUnmock('h5wasm');
  vi.resetModules();
});

test('a missing h5wasm is a ConfigError naming it, after the config has been judged', async () => {
  vi.doMock('h5wasm', () => {
    throw new Error('Cannot find package \'h5wasm\'');
  });
  const { fromKeras } = await import('../../src/io/keras-files');
  const config = { class_name: 'Sequential', config: { layers: [{ class_name: 'InputLayer', config: { batch_shape: [null, 2] } }, { class_name: 'Dense', config: { name: 'd', units: 1 } }] } };
  const file = zipSync({ 'config.json': strToU8(JSON.stringify(config)), 'model.weights.h5': strToU8('\x89HDF\r\n\x1a\n') });
  await expect(fromKeras(file)).rejects.toThrow(ConfigError);
  await expect(fromKeras(file)).rejects.toThrow(/cannot load h5wasm, the HDF5 reader that \.keras and \.h5 files need \(.+\); install the h5wasm package/);
  // A Conv2D config is still refused for its Conv2D: the config is judged before the reader is needed.
  const cnn = zipSync({ 'config.json': strToU8(JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: 'Conv2D', config: { name: 'c' } }] } })) });
  await expect(fromKeras(cnn)).rejects.toThrow(/Conv2D/);
  // Once h5wasm can be had, the next call loads it: the failure is not remembered.
  vi.doUnmock('h5wasm');
  const model = await fromKeras(readFileSync(new URL('../fixtures/models/keras/drl-unsafe.h5', import.meta.url)));
  expect(model.outputDim).toBe(3);
  model.dispose();
});
