// A random search's worker thread (Node worker_threads): its own bundle,
// dist/search-worker.js, which search-pool.ts starts. It takes the search's
// rows once (shared memory, never copied), then trains one trial plan at a
// time, as the calling thread would (search-trial.ts runPlan), on the same
// build of the core. It keeps the best model it trained and sends it back
// whenever a trial beats it, so the search's best model survives whichever
// worker trained it.

import { parentPort, workerData } from 'node:worker_threads';
import { ready, setBackend, type Build } from '../backend/index';
import type { Sequential } from '../engine/model';
import type { MonitorMode } from '../train/logs';
import { comparator, failedOutcome, ranking, runPlan, type TrialData, type WirePlan } from './search-trial';

/** What a worker gets when it starts. */
export interface WorkerSetup {
  data: TrialData;
  build: Build;
  objective: string;
  mode: MonitorMode;
}

/** One trial to run. */
export interface Job {
  trial: number;
  seed: number;
  plan: WirePlan;
}

async function serve(setup: WorkerSetup): Promise<void> {
  const port = parentPort!;
  await useBuild(setup.build);
  const order = ranking(comparator(setup.mode, setup.objective));
  let best: { trial: number; score: number; model: Sequential } | undefined;
  port.on('message', async ({ trial, seed, plan }: Job) => {
    try {
      const { model, outcome } = await runPlan(plan, setup.data, seed, setup.objective, trial,
        (epoch, logs) => port.postMessage({ type: 'epoch', trial, epoch, logs }));
      if (best && order(outcome, best) > 0) {
        model.dispose();
        port.postMessage({ type: 'done', outcome });
        return;
      }
      best?.model.dispose();
      best = { trial, score: outcome.score, model };
      port.postMessage({ type: 'done', outcome, model: model.toJSON() });
    } catch (e) {
      port.postMessage({ type: 'done', outcome: failedOutcome(trial, e) });
    }
  });
  port.postMessage({ type: 'ready' });
}

/** The calling thread's build, so that a trial computes the same numbers here. */
async function useBuild(build: Build): Promise<void> {
  if (build === 'js') setBackend('js');
  else await ready({ relaxedSimd: build === 'relaxed' });
}

await serve(workerData as WorkerSetup);
