// The parent side: a pool of child processes (child.ts) that run the cases,
// so a case that hangs, crashes or eats memory is that case's failure and
// not the test run's. Each child runs case after case and is replaced after a
// hang, a crash, a case that poisoned it, a case that wanted a fresh process,
// or a number of cases. Timeouts only detect hangs; nothing is timed.

import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Case, Result } from './case';
import { ROOT, rssOf } from './tools';

const CHILD = join(ROOT, 'test/adversarial/harness/child.ts');
const REGISTER = join(ROOT, 'scripts/register.mjs');

export interface PoolOptions {
  workers?: number;
  /** Per case, unless the case says otherwise. */
  timeoutMs?: number;
  /** Cases a child runs before it is replaced. */
  recycleAfter?: number;
  /** A child whose resident memory passes this is killed (the case fails as 'memory'). */
  rssLimitMb?: number;
}

type Info = Pick<Case, 'id' | 'fresh' | 'timeoutMs'>;

const alive = new Set<ChildProcess>();
process.on('exit', () => alive.forEach(killGroup));

/** Starts running every case; each promise settles with that case's result. */
export function runPool(list: Info[], options: PoolOptions = {}): Map<string, Promise<Result>> {
  const { workers = 2, timeoutMs = 30_000, recycleAfter = 60, rssLimitMb = 3072 } = options;
  const settle = new Map<string, (r: Result) => void>();
  const results = new Map(list.map((c) => [c.id, new Promise<Result>((ok) => settle.set(c.id, ok))]));
  const queue = [...list];
  let failedStarts = 0;

  async function worker(): Promise<void> {
    let child: Child | undefined;
    let used = 0;
    for (let c = queue.shift(); c; c = queue.shift()) {
      if (child && (c.fresh || used >= recycleAfter)) [child, used] = [child.kill(), 0];
      if (!child) {
        try {
          child = await Child.start(rssLimitMb);
          failedStarts = 0;
        } catch (e) {
          failedStarts++;
          settle.get(c.id)!(failed(c.id, 'crash', `the child process did not start: ${(e as Error).message}`));
          if (failedStarts >= 3) drain(`the child process did not start three times in a row: ${(e as Error).message}`);
          continue;
        }
      }
      const r = await child.run(c.id, c.timeoutMs ?? timeoutMs);
      used++;
      if (c.fresh || r.poisoned || child.dead) [child, used] = [child.kill(), 0];
      settle.get(c.id)!(r);
    }
    child?.kill();
  }

  function drain(why: string): void {
    for (let c = queue.shift(); c; c = queue.shift()) settle.get(c.id)!(failed(c.id, 'crash', why));
  }

  for (let i = 0; i < workers; i++) void worker();
  return results;
}

function failed(id: string, kind: 'crash' | 'hang' | 'memory', detail: string): Result {
  return { id, ok: false, failures: [{ kind, detail }], outcome: 'no result' };
}

class Child {
  dead = false;
  private stderr = '';
  private memoryKill = false;

  private constructor(private readonly proc: ChildProcess, rssLimitMb: number) {
    alive.add(proc);
    proc.stdout!.on('data', () => {});
    proc.stderr!.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    proc.on('exit', () => {
      this.dead = true;
      alive.delete(proc);
    });
    const watch = setInterval(() => {
      if (rssOf(proc.pid!) > rssLimitMb * 2 ** 20) {
        this.memoryKill = true;
        killGroup(proc);
      }
    }, 250);
    watch.unref();
    proc.on('exit', () => clearInterval(watch));
  }

  static start(rssLimitMb: number): Promise<Child> {
    const proc = fork(CHILD, [], {
      cwd: ROOT,
      execArgv: ['--import', REGISTER],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true, // its own process group: killing it also ends the CLI processes it started
    });
    const child = new Child(proc, rssLimitMb);
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no ready message in 180 s; stderr: ${child.tail()}`)), 180_000);
      proc.once('message', () => (clearTimeout(timer), ok(child)));
      proc.once('exit', (code, signal) => (clearTimeout(timer), fail(new Error(`exited (${code ?? signal}); stderr: ${child.tail()}`))));
    });
  }

  run(id: string, timeoutMs: number): Promise<Result> {
    return new Promise((done) => {
      const finish = (r: Result) => {
        clearTimeout(timer);
        this.proc.off('message', onMessage);
        this.proc.off('exit', onExit);
        done(r);
      };
      const onMessage = (msg: { result?: Result }) => msg.result && finish(msg.result);
      const onExit = (code: number | null, signal: string | null) => finish(this.memoryKill
        ? failed(id, 'memory', `the process passed its memory limit and was killed; stderr: ${this.tail()}`)
        : failed(id, 'crash', `the process died (${code ?? signal}) during the case; stderr: ${this.tail()}`));
      const timer = setTimeout(() => {
        this.kill();
        finish(failed(id, 'hang', `no result within ${timeoutMs / 1000} s; stderr: ${this.tail()}`));
      }, timeoutMs);
      this.proc.on('message', onMessage);
      this.proc.once('exit', onExit);
      this.stderr = '';
      this.proc.send({ run: id });
    });
  }

  kill(): undefined {
    this.dead = true;
    killGroup(this.proc);
    return undefined;
  }

  private tail(): string {
    return this.stderr.trim().split('\n').slice(-6).join(' | ').slice(-800) || '(empty)';
  }
}

function killGroup(proc: ChildProcess): void {
  try {
    process.kill(-proc.pid!, 'SIGKILL');
  } catch { /* already gone */ }
  alive.delete(proc);
}
