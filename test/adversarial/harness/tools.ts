// The Tools a case gets (see case.ts): tracked models, temporary folders,
// loopback HTTP servers, the built CLI, and bounds on what may hang or grow.
// Everything a case opens is closed by cleanup(), which the child always runs.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as nn from '../../../src/index';
import { CheckFailure, type CliResult, type ModelKind, type Tools } from './case';
import { fingerprint, makeData, makeModel } from './models';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(ROOT, 'dist/cli.js');

export class CaseTools implements Tools {
  readonly tracked = new Set<nn.Sequential>();
  private readonly cleanups: (() => unknown)[] = [];
  poisoned: string | undefined;

  model(kind: ModelKind = 'softmax', seed = 1): nn.Sequential {
    return this.track(makeModel(kind, seed));
  }

  async trained(kind: ModelKind = 'softmax', seed = 1): Promise<nn.Sequential> {
    const m = this.model(kind, seed);
    const { x, y } = makeData(kind === 'unbuilt' ? 'softmax' : kind);
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
    return m;
  }

  data(kind: ModelKind = 'softmax', rows = 24, seed = 2) {
    return makeData(kind, rows, seed);
  }

  track<T extends nn.Sequential>(m: T): T {
    this.tracked.add(m);
    return m;
  }

  print(m: nn.Sequential): string {
    return fingerprint(m);
  }

  snapshot(): Map<nn.Sequential, string> {
    return new Map([...this.tracked].map((m) => [m, fingerprint(m)]));
  }

  tmp(): string {
    const dir = mkdtempSync(join(tmpdir(), 'nnwasm-adv-'));
    this.cleanup(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async serve(handler: RequestListener): Promise<{ url: string; requests: () => number }> {
    let count = 0;
    const server = createServer((req, res) => {
      count++;
      handler(req, res);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    this.cleanup(() => {
      server.closeAllConnections();
      server.close();
    });
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, requests: () => count };
  }

  cli(args: string[], { cwd = ROOT, timeoutMs = 60_000 } = {}): Promise<CliResult> {
    return runCli(args, cwd, timeoutMs);
  }

  bounded<T>(p: Promise<T>, what: string, { ms = 15_000, rssMb = 1024 } = {}): Promise<T> {
    p.catch(() => {}); // if the bound wins, a late rejection is not an unhandled one
    const start = process.memoryUsage.rss();
    let timer: NodeJS.Timeout | undefined, watch: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      const stop = (why: string) => {
        this.poison(`${what} was left running`);
        reject(new CheckFailure(why));
      };
      timer = setTimeout(() => stop(`${what}: still pending after ${ms / 1000} s (a hang)`), ms);
      watch = setInterval(() => {
        const grown = (process.memoryUsage.rss() - start) / 2 ** 20;
        if (grown > rssMb) stop(`${what}: memory grew by ${grown.toFixed(0)} MB while it ran (no cap)`);
      }, 50);
    });
    return Promise.race([p, limit]).finally(() => {
      clearTimeout(timer);
      clearInterval(watch);
    });
  }

  check(cond: unknown, message: string): void {
    if (!cond) throw new CheckFailure(message);
  }

  cleanup(fn: () => unknown): void {
    this.cleanups.push(fn);
  }

  poison(why: string): void {
    this.poisoned ??= why;
  }

  /** Disposes tracked models and runs the cleanups, newest first; returns what failed. */
  async close(): Promise<string[]> {
    const problems: string[] = [];
    for (const m of this.tracked) {
      try {
        m.dispose();
      } catch (e) {
        problems.push(`dispose() of a tracked model threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
      }
    }
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        problems.push(`cleanup failed: ${(e as Error)?.message}`);
      }
    }
    return problems;
  }
}

/** The CLI in its own process group, killed on timeout or when its RSS passes 1 GiB. */
function runCli(args: string[], cwd: string, timeoutMs: number): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '', stderr = '', stopped: string | undefined;
    child.stdout.on('data', (d) => (stdout = keepTail(stdout + d)));
    child.stderr.on('data', (d) => (stderr = keepTail(stderr + d)));
    const stop = (why: string) => {
      stopped ??= why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch { /* already gone */ }
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const watch = setInterval(() => {
      if (rssOf(child.pid!) > 2 ** 30) stop('memory');
    }, 100);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      done({ code, signal, stdout, stderr, stopped });
    });
  });
}

/** Resident memory of a process in bytes, from /proc (0 where unknown). */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function keepTail(s: string, max = 64 * 1024): string {
  return s.length > max ? s.slice(-max) : s;
}
