// The names of logged figures (loss → valLoss) and which way each is better
// (src/train/logs.ts), which fit, early stopping, the search and the command
// line share.

import { describe, expect, test } from 'vitest';
import { monitorMode, valKey } from '../../src/train/logs';

describe('valKey', () => {
  test.each([
    ['loss', 'valLoss'],
    ['accuracy', 'valAccuracy'],
    ['mae', 'valMae'],
    ['categoricalAccuracy', 'valCategoricalAccuracy'],
  ])('%s → %s', (key, val) => {
    expect(valKey(key)).toBe(val);
  });
});

describe('monitorMode', () => {
  test('auto maximizes accuracies and minimizes the rest, as Keras', () => {
    expect(['accuracy', 'valAccuracy', 'binaryAccuracy'].map((m) => monitorMode(m, 'auto'))).toEqual(['max', 'max', 'max']);
    expect(['loss', 'valLoss', 'mae', 'valMse'].map((m) => monitorMode(m, 'auto'))).toEqual(['min', 'min', 'min', 'min']);
  });

  test('min and max are taken as given, whatever the name', () => {
    expect(monitorMode('accuracy', 'min')).toBe('min');
    expect(monitorMode('loss', 'max')).toBe('max');
  });
});
