// Runs every bench suite in turn: `npm run bench`.
//
//   node --import ./bench/register.mjs bench/index.ts [--quick]

import { runGemmBench } from './gemm';
import { runTrainingBench } from './training';

const quick = process.argv.includes('--quick');

const suites: [name: string, run: (options: { quick: boolean }) => Promise<unknown>][] = [
  ['gemm', runGemmBench],
  ['training', runTrainingBench],
];

for (const [name, run] of suites) {
  console.log(`\n=== ${name}\n`);
  await run({ quick });
}
