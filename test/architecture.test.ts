// The import rules of src/ (.dependency-cruiser.cjs, `npm run lint:deps`):
// first that each rule catches what it forbids and nothing else, on a small
// made-up tree, then that src/ breaks none of them. Each cruise runs in a
// child process with a timeout, as `npm run lint:deps` runs it.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

/** The violations dependency-cruiser finds in `dir`'s src/ with the project's rules. */
function cruise(dir: string): Violation[] {
  const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'json'],
    { cwd: dir, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
  if (run.error) throw run.error;
  // It exits non-zero when it finds violations; a run that printed no report failed for another reason.
  if (!run.stdout.trim().startsWith('{')) throw new Error(`depcruise failed (status ${run.status}):\n${run.stderr}`);
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const show = (v: Violation) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`;

/** The violations as text, grouped by rule, for a failure message. */
function report(violations: Violation[]): string {
  const rules = [...new Set(violations.map((v) => v.rule.name))];
  return rules.map((rule) => {
    const mine = violations.filter((v) => v.rule.name === rule);
    return `${rule} (${mine.length}):\n${mine.map((v) => `  ${show(v)}`).join('\n')}`;
  }).join('\n');
}

/** The modules of a cycle, sorted: the same cycle whichever of its imports it is reported on. */
const cycleOf = (v: Violation) => [...new Set([v.from, ...v.cycle!.map((c) => c.name)])].sort().join(' ');

describe('the rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnwasm-architecture-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A tree with one breach of each rule, beside imports the rules allow. */
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }),
    'src/engine/matrix.ts': 'export class Matrix {}\n',
    'src/engine/model.ts': "import { Matrix } from './matrix';\nimport { save } from '../io/native';\nexport class Model { m = new Matrix(); s = save; }\n",
    'src/io/native.ts': "import type { Model } from '../engine/model';\nimport { Matrix } from '../engine/matrix';\nimport { fit } from '../train/fit';\n"
      + 'export const save = (m?: Model) => [m, new Matrix(), fit];\n',
    'src/train/fit.ts': "import { Matrix } from '../engine/matrix';\nexport const fit = () => new Matrix();\n",
    'src/backend/heap.ts': 'export const HEAP = 1;\n',
    'src/backend/index.ts': "import { HEAP } from './heap';\nimport { rows } from '../data/csv';\nexport const b = [HEAP, rows];\n",
    'src/data/csv.ts': "import { Matrix } from '../engine/matrix';\nimport type { Model } from '../engine/model';\nexport const rows = (m?: Model) => [m, new Matrix()];\n",
    // A cycle of type-only imports, which TypeScript erases: it counts all the same.
    'src/tools/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
    'src/tools/b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
    'src/cli/cli.ts': "import { Model } from '../engine/model';\nimport { fit } from '../train/fit';\nimport type { A } from '../tools/a';\nexport const run = (a?: A) => [new Model(), fit, a];\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }

  test('each layer rule flags its breach, and only that import', () => {
    const found = cruise(dir).filter((v) => v.rule.name !== 'no-circular').map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(found.sort()).toEqual([
      'backend-alone: src/backend/index.ts → src/data/csv.ts',
      'data-without-models: src/data/csv.ts → src/engine/model.ts',
      'engine-below-io-train-tools-cli: src/engine/model.ts → src/io/native.ts',
      'io-below-train-tools-cli: src/io/native.ts → src/train/fit.ts',
    ]);
  });

  test('no-circular flags both cycles, the type-only one included, and nothing else', () => {
    const cycles = cruise(dir).filter((v) => v.rule.name === 'no-circular').map(cycleOf);
    expect([...new Set(cycles)].sort()).toEqual(['src/engine/model.ts src/io/native.ts', 'src/tools/a.ts src/tools/b.ts']);
  });
});

test('src/ keeps every rule: no import cycles (type-only ones included), each layer importing only from below', () => {
  const violations = cruise(ROOT);
  expect(violations.map(show), `${violations.length} import rule violations:\n${report(violations)}`).toEqual([]);
});
