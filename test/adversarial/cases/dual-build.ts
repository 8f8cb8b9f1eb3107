// The ESM and CommonJS builds (dist/index.js, dist/index.cjs) loaded in one
// process, as happens when an app imports nnwasm and one of its dependencies
// requires it: an error thrown by one must pass `instanceof` of the other's
// classes (and only of the right ones), and data must cross between them.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Nn from '../../../src/index';
import type { Case, Tools } from '../harness/case';
import { ROOT } from '../harness/tools';

type Lib = typeof Nn;
type Builds = { esm: Lib; cjs: Lib };

async function builds(t: Tools): Promise<Builds> {
  const esmFile = join(ROOT, 'dist/index.js'), cjsFile = join(ROOT, 'dist/index.cjs');
  t.check(existsSync(esmFile) && existsSync(cjsFile), 'dist/index.js or dist/index.cjs is missing: run npm run build first');
  const esm = (await import(pathToFileURL(esmFile).href)) as Lib;
  const cjs = createRequire(import.meta.url)(cjsFile) as Lib;
  t.check(esm.NnError !== cjs.NnError, 'both files gave the same module: the test would prove nothing');
  return { esm, cjs };
}

/** One library mistake per error class, made with a given build. */
const TRIGGERS: Record<string, (lib: Lib) => unknown> = {
  ShapeError: (lib) => lib.sequential([lib.dense({ units: 1, inputDim: 2 })]).predict([[1, 2, 3]]),
  ValueError: (lib) => lib.sequential([lib.dense({ units: 1, inputDim: 2 })]).predict([[NaN, 1]]),
  ConfigError: (lib) => lib.dense({ units: 1, activation: 'evil' as never }),
  NotCompiledError: (lib) => lib.sequential([lib.dense({ units: 1, inputDim: 1 })]).evaluate([[1]], [[1]]),
  NotFittedError: (lib) => lib.standardScaler().transform([[1]]),
  DisposedError: (lib) => {
    const m = lib.sequential([lib.dense({ units: 1, inputDim: 1 })]);
    m.dispose();
    return m.predict([[1]]);
  },
  ModelFormatError: (lib) => lib.io.fromJSON('{}'),
};

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('the trigger threw nothing');
}

function crossInstanceof(): Case[] {
  return Object.entries(TRIGGERS).flatMap(([name, trigger]) => (['esm', 'cjs'] as const).map((from): Case => {
    const to = from === 'esm' ? 'cjs' : 'esm';
    return {
      id: `dual-build.${name}-from-${from}-is-instanceof-${to}`, cls: 'dual-build', expect: 'succeeds',
      what: `a ${name} thrown by the ${from.toUpperCase()} build passes instanceof ${name} and NnError of the ${to.toUpperCase()} build`,
      fast: name === 'ShapeError' && from === 'esm',
      setup: builds,
      run: (b: Builds, t: Tools) => {
        const e = caught(() => trigger(b[from]));
        const other = b[to] as unknown as Record<string, new () => Error>;
        t.check(e instanceof (b[from] as unknown as Record<string, new () => Error>)[name], `the trigger threw ${(e as Error)?.name}, not a ${name}`);
        t.check(e instanceof other[name], `not instanceof the ${to.toUpperCase()} build's ${name}`);
        t.check(e instanceof b[to].NnError, `not instanceof the ${to.toUpperCase()} build's NnError`);
      },
    };
  }));
}

/** Shared identity must not make every error every class. */
const noFalseMatch: Case[] = (['esm', 'cjs'] as const).map((from): Case => ({
  id: `dual-build.no-false-match-from-${from}`, cls: 'dual-build', expect: 'succeeds',
  what: `a ShapeError from the ${from.toUpperCase()} build is no ValueError of either build, and a plain Error is no NnError`,
  setup: builds,
  run: (b: Builds, t: Tools) => {
    const e = caught(() => TRIGGERS.ShapeError(b[from]));
    t.check(!(e instanceof b.esm.ValueError) && !(e instanceof b.cjs.ValueError), 'a ShapeError passes instanceof ValueError');
    t.check(!(new Error('x') instanceof b.esm.NnError) && !(new Error('x') instanceof b.cjs.NnError), 'a plain Error passes instanceof NnError');
  },
}));

/** Data made by one build, used by the other. */
const crossData: Case[] = [
  {
    id: 'dual-build.esm-matrix-into-cjs-model', cls: 'dual-build', expect: 'succeeds', what: 'a Matrix made by the ESM build, predicted on by a CJS model',
    setup: builds,
    run: (b: Builds, t: Tools) => {
      const m = b.cjs.sequential([b.cjs.dense({ units: 2, inputDim: 3 })], { seed: 1 });
      try {
        const viaEsm = m.predict(new b.esm.Matrix(1, 3, Float32Array.from([1, 2, 3])));
        const direct = m.predict([[1, 2, 3]]);
        t.check(viaEsm.data.every((v, i) => v === direct.data[i]), 'the other build\'s Matrix gave other predictions');
      } finally {
        m.dispose();
      }
    },
  },
  {
    id: 'dual-build.cjs-save-esm-load', cls: 'dual-build', expect: 'succeeds', what: 'a model saved by the CJS build loads in the ESM build, bit for bit',
    setup: builds,
    run: (b: Builds, t: Tools) => {
      const m = b.cjs.sequential([b.cjs.dense({ units: 2, inputDim: 3 })], { seed: 1 });
      const copy = b.esm.io.load(b.cjs.io.save(m));
      try {
        t.check(JSON.stringify(copy.toJSON()) === JSON.stringify(m.toJSON()), 'the model changed between builds');
      } finally {
        m.dispose();
        copy.dispose();
      }
    },
  },
];

export function dualBuildCases(): Case[] {
  return [...crossInstanceof(), ...noFalseMatch, ...crossData];
}
