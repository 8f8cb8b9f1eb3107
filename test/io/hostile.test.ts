// Hostile files and URLs must not hang, eat memory or escape (issue #16,
// class 4 and the loaders of class 8). Every call runs in a child process
// (hostile-child.ts) with a time limit and a memory watchdog, so a hang or
// a blow-up is a recorded failure and not a stuck run. Servers are on
// 127.0.0.1 only, run by this file, and count what the child asked for.

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as nn from '../../src/index';
import { MAX_JSON_BYTES } from '../../src/io/files';
import { DEFAULT_TIMEOUT_MS } from '../../src/io/location';
import type { ChildResult, ChildSpec } from './hostile-child';

const ROOT = resolve(__dirname, '../..');
/** Far beyond what any case needs when it works: reaching it means a hang. */
const CHILD_LIMIT_MS = 60_000;
/** Each case's limit in vitest: its child's, and time to start it and check what it left. */
const CASE = { concurrent: true, timeout: CHILD_LIMIT_MS + 30_000 };
/** A child above this resident size is killed: a read that does not stop. */
const RSS_LIMIT_MIB = 768;
const CAP_MIB = MAX_JSON_BYTES / (1 << 20);
const INPUT = [[1, 2, 3], [-1, 0.5, 2]];

let model: nn.Sequential;
let dir: string;
let nativeFolder: string;
let tfjsFolder: string;
const servers: Server[] = [];

beforeAll(async () => {
  await nn.ready();
  model = nn.sequential([nn.dense({ units: 4, activation: 'relu', inputDim: 3 }), nn.dense({ units: 2, activation: 'softmax' })], { seed: 5 });
  dir = await mkdtemp(join(tmpdir(), 'nnwasm-hostile-'));
  nativeFolder = join(dir, 'native');
  tfjsFolder = join(dir, 'tfjs');
  await nn.io.saveModel(model, nativeFolder);
  await nn.io.saveTfjs(model, tfjsFolder);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

// ——— the child process ———

interface Outcome {
  result?: ChildResult;
  /** Why the child was stopped, if it was: a hang or a blow-up. */
  killed?: 'time' | 'memory';
  peakRssMiB: number;
  stderr: string;
}

/** Runs one call in a child; it is killed when it outlives `limitMs` or outgrows RSS_LIMIT_MIB. */
function inChild(spec: ChildSpec, limitMs = CHILD_LIMIT_MS): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', './scripts/register.mjs', 'test/io/hostile-child.ts', JSON.stringify(spec)], { cwd: ROOT });
  const outcome: Outcome = { peakRssMiB: 0, stderr: '' };
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (outcome.stderr += d));
  const stop = (why: Outcome['killed']) => {
    outcome.killed ??= why;
    child.kill('SIGKILL');
  };
  const timer = setTimeout(() => stop('time'), limitMs);
  const watchdog = setInterval(() => {
    outcome.peakRssMiB = Math.max(outcome.peakRssMiB, rssMiB(child.pid!));
    if (outcome.peakRssMiB > RSS_LIMIT_MIB) stop('memory');
  }, 50);
  return new Promise((done) => {
    child.on('close', () => {
      clearTimeout(timer);
      clearInterval(watchdog);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (line) outcome.result = JSON.parse(line.slice(7));
      done(outcome);
    });
  });
}

function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0; // already gone
  }
}

/** The child finished on its own and its call failed with `type`, its message matching `pattern`. */
function expectRefused(outcome: Outcome, type: 'ModelFormatError' | 'ConfigError', pattern: RegExp): void {
  expect(outcome.killed, `the child was killed (${outcome.killed}); stderr: ${outcome.stderr.slice(0, 500)}`).toBeUndefined();
  expect(outcome.result, outcome.stderr.slice(0, 2000)).toBeDefined();
  const { ok, error } = outcome.result!;
  expect(ok, 'the call should have failed').toBe(false);
  expect(error!.isNnError, `${error!.name}: ${error!.message}`).toBe(true);
  expect(error!.name, error!.message).toBe(type);
  expect(error!.message).toMatch(pattern);
}

function expectLoaded(outcome: Outcome): void {
  expect(outcome.killed, outcome.stderr.slice(0, 500)).toBeUndefined();
  expect(outcome.result?.error).toBeUndefined();
  expect(outcome.result!.prediction).toEqual(Array.from(model.predict(INPUT).data));
}

// ——— fixtures ———

let fixtures = 0;
/** A fresh copy of a saved folder to spoil. */
async function copyOf(folder: string): Promise<string> {
  const copy = join(dir, `case-${++fixtures}`);
  await cp(folder, copy, { recursive: true });
  return copy;
}

async function replaceWithLink(file: string, target: string): Promise<void> {
  await rm(file);
  await symlink(target, file);
}

async function replaceWithFifo(file: string): Promise<void> {
  await rm(file);
  execFileSync('mkfifo', [file]);
}

async function replaceWithDirectory(file: string): Promise<void> {
  await rm(file);
  await mkdir(join(file, 'inside'), { recursive: true });
}

/** A TF.js model.json for the test model whose manifest names `paths`. */
function tfjsManifest(paths: string[]): string {
  const a = nn.io.toTfjs(model);
  return JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths, weights: a.weightSpecs }] });
}

const shardNames = (n: number) => Array.from({ length: n }, (_, i) => `group1-shard${i + 1}of${n}.bin`);

// ——— local servers ———

interface Server {
  url: string;
  /** Paths asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const requests: string[] = [];
  const server = createHttpServer((req, res) => {
    requests.push(req.url!);
    handler(req, res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const s: Server = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
  servers.push(s);
  return s;
}

/** Serves files by name from a folder, and `overrides` by name instead. */
function files(folder: string, overrides: Record<string, (res: ServerResponse) => void> = {}) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const name = req.url!.slice(req.url!.lastIndexOf('/') + 1);
    if (overrides[name]) return overrides[name](res);
    readFile(join(folder, name)).then((b) => res.end(b), () => void res.writeHead(404).end());
  };
}

/** Headers (no length: a length would be checked first), then one byte each 200 ms, for a minute at most. */
function trickle(res: ServerResponse): void {
  const total = 300;
  res.writeHead(200);
  let sent = 0;
  const timer = setInterval(() => {
    res.write(' ');
    if (++sent === total) res.end();
  }, 200);
  res.on('close', () => clearInterval(timer));
}

const silent = () => {}; // never answers

// ——— the cases ———

describe('files that are not regular files', CASE, () => {
  test('model.json linked to /dev/zero is refused unread, and memory stays flat', async () => {
    const folder = await copyOf(nativeFolder);
    await replaceWithLink(join(folder, 'model.json'), '/dev/zero');
    const outcome = await inChild({ action: 'loadModel', target: folder });
    expectRefused(outcome, 'ModelFormatError', /model\.json: expected a regular file, got a character device/);
    const { rssGrowthMiB, peakGrowthMiB } = outcome.result!;
    console.log(`/dev/zero model.json: child RSS grew ${rssGrowthMiB.toFixed(1)} MiB, its peak ${peakGrowthMiB.toFixed(1)} MiB (watchdog saw ${outcome.peakRssMiB.toFixed(0)} MiB in all)`);
    expect(outcome.result!.peakGrowthMiB).toBeLessThan(CAP_MIB + 32);
  });

  test('weights.bin linked to /dev/zero is refused unread', async () => {
    const folder = await copyOf(nativeFolder);
    await replaceWithLink(join(folder, 'weights.bin'), '/dev/zero');
    expectRefused(await inChild({ action: 'loadModel', target: folder }), 'ModelFormatError', /weights\.bin: expected a file of the model's folder, got a link to "\/dev\/zero", outside it/);
  });

  test('model.json linked to /dev/urandom is refused unread', async () => {
    const folder = await copyOf(nativeFolder);
    await replaceWithLink(join(folder, 'model.json'), '/dev/urandom');
    expectRefused(await inChild({ action: 'loadModel', target: folder }), 'ModelFormatError', /model\.json: expected a regular file, got a character device/);
  });

  test('model.json as a FIFO with no writer does not block the open', async () => {
    const folder = await copyOf(nativeFolder);
    await replaceWithFifo(join(folder, 'model.json'));
    expectRefused(await inChild({ action: 'loadModel', target: folder }), 'ModelFormatError', /model\.json: expected a regular file, got a FIFO/);
  });

  test('the model.json path itself given as a FIFO', async () => {
    const folder = await copyOf(nativeFolder);
    await replaceWithFifo(join(folder, 'model.json'));
    expectRefused(await inChild({ action: 'loadModel', target: join(folder, 'model.json') }), 'ModelFormatError', /expected a regular file, got a FIFO/);
  });

  test('weights.bin as a FIFO', async () => {
    const folder = await copyOf(nativeFolder);
    await replaceWithFifo(join(folder, 'weights.bin'));
    expectRefused(await inChild({ action: 'loadModel', target: folder }), 'ModelFormatError', /weights\.bin: expected a regular file, got a FIFO/);
  });

  test('model.json as a listening Unix socket', async () => {
    const folder = await copyOf(nativeFolder);
    await rm(join(folder, 'model.json'));
    const socket = createNetServer((c) => c.end());
    await new Promise<void>((done) => socket.listen(join(folder, 'model.json'), done));
    try {
      expectRefused(await inChild({ action: 'loadModel', target: folder }), 'ModelFormatError', /model\.json: expected a regular file, got a socket/);
    } finally {
      await new Promise((done) => socket.close(done));
    }
  });

  test('model.json that is a directory', async () => {
    const folder = await copyOf(nativeFolder);
    await replaceWithDirectory(join(folder, 'model.json'));
    expectRefused(await inChild({ action: 'loadModel', target: folder }), 'ModelFormatError', /model\.json: expected a regular file, got a directory/);
  });

  test('weights.bin that is a directory', async () => {
    const folder = await copyOf(nativeFolder);
    await replaceWithDirectory(join(folder, 'weights.bin'));
    expectRefused(await inChild({ action: 'loadModel', target: folder }), 'ModelFormatError', /weights\.bin: expected a regular file, got a directory/);
  });

  test('a folder named x.json is read as a folder', async () => {
    const folder = join(await copyOf(nativeFolder), 'x.json');
    await cp(nativeFolder, folder, { recursive: true });
    expectLoaded(await inChild({ action: 'loadModel', target: folder, predict: INPUT }));
  });

  test('a folder named x.json without a model in it', async () => {
    const folder = join(dir, `empty-${++fixtures}.json`);
    await mkdir(folder);
    expectRefused(await inChild({ action: 'loadModel', target: folder }), 'ModelFormatError', /cannot read .*empty-\d+\.json\/model\.json: ENOENT/);
  });

  test('weights.bin linked to a file outside the folder (a key, say) is refused unread; a link inside it is followed', async () => {
    const folder = await copyOf(nativeFolder);
    await writeFile(join(dir, 'secret.bin'), new Uint8Array(104));
    await replaceWithLink(join(folder, 'weights.bin'), join(dir, 'secret.bin'));
    expectRefused(await inChild({ action: 'loadModel', target: folder }), 'ModelFormatError', /weights\.bin: expected a file of the model's folder, got a link to .*secret\.bin", outside it/);
    const inside = await copyOf(nativeFolder);
    await cp(join(inside, 'weights.bin'), join(inside, 'real.bin'));
    await replaceWithLink(join(inside, 'weights.bin'), join(inside, 'real.bin'));
    expect((await nn.io.loadModel(inside)).predict(INPUT).data).toHaveLength(4);
  });

  test('model.json linked to /proc/self/status (reports 0 bytes) is still read in full', async () => {
    const folder = await copyOf(nativeFolder);
    await replaceWithLink(join(folder, 'model.json'), '/proc/self/status');
    expectRefused(await inChild({ action: 'loadModel', target: folder }), 'ModelFormatError', /model\.json\): expected a model file .*, got bytes starting 4e 61 6d 65/);
  });

  test('a missing folder', async () => {
    expectRefused(await inChild({ action: 'loadModel', target: join(dir, 'nothing-here') }), 'ModelFormatError', /cannot read .*nothing-here\/model\.json: ENOENT/);
  });
});

describe('arguments that are no source', CASE, () => {
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /nn\.io\.loadModel: expected .*, got null/],
    ['a number', 42, /nn\.io\.loadModel: expected .*, got 42/],
    ['nothing', undefined, /nn\.io\.loadModel: expected .*, got nothing/],
    ['an empty path', '', /nn\.io\.loadModel: expected .*, got ""/],
    ['an object whose href is not text', { href: 42 }, /nn\.io\.loadModel: expected .*, got \{"href":42\}/],
    ['an unparsable URL', 'http://', /nn\.io\.loadModel: expected a valid URL, got "http:\/\/"/],
    ['a file URL on another host', 'file://elsewhere/models/model.json', /expected a file URL on this machine, got "file:\/\/elsewhere/],
  ];
  for (const [name, target, pattern] of cases) {
    test(`loadModel(${name})`, async () => expectRefused(await inChild({ action: 'loadModel', target }), 'ConfigError', pattern));
  }

  test('loadTfjs(42)', async () => expectRefused(await inChild({ action: 'loadTfjs', target: 42 }), 'ConfigError', /nn\.io\.loadTfjs: expected .*, got 42/));

  test('a path with a NUL byte', async () => {
    expectRefused(await inChild({ action: 'loadModel', target: join(dir, 'a\0b') }), 'ConfigError', /expected a path without NUL bytes/);
  });

  const options: [string, Record<string, unknown>, RegExp][] = [
    ['a negative timeout', { timeout: -5 }, /expected "timeout" to be a number of milliseconds > 0 .*, got -5/],
    ['a timeout as text', { timeout: '30s' }, /expected "timeout" to be a number of milliseconds > 0 .*, got "30s"/],
    ['a signal that is no AbortSignal', { signal: 'bogus' }, /expected "signal" to be an AbortSignal/],
  ];
  for (const [name, opts, pattern] of options) {
    test(name, async () => expectRefused(await inChild({ action: 'loadModel', target: nativeFolder, options: opts }), 'ConfigError', pattern));
  }

  test('a URL with a broken percent escape reaches the server as it is', async () => {
    const server = await serve(files(nativeFolder));
    const outcome = await inChild({ action: 'loadModel', target: `${server.url}/m/%E0%A4%A.json` });
    expectRefused(outcome, 'ModelFormatError', /%E0%A4%A\.json: .*HTTP 404/);
    expect(server.requests).toEqual(['/m/%E0%A4%A.json']);
  });
});

describe('URLs that stall or misbehave', CASE, () => {
  test('a server that never answers: the timeout option', async () => {
    const server = await serve(silent);
    const outcome = await inChild({ action: 'loadModel', target: `${server.url}/m/`, options: { timeout: 1000 } });
    expectRefused(outcome, 'ModelFormatError', /model\.json: timed out after 1000 ms/);
    expect(server.requests.length).toBeLessThanOrEqual(1); // none if the child is slow to send it: no retry either way
  });

  test('a server that never answers: the default timeout', async () => {
    const server = await serve(silent);
    const outcome = await inChild({ action: 'loadModel', target: `${server.url}/m/` }, DEFAULT_TIMEOUT_MS + CHILD_LIMIT_MS);
    expectRefused(outcome, 'ModelFormatError', new RegExp(`model\\.json: timed out after ${DEFAULT_TIMEOUT_MS} ms`));
    expect(server.requests.length).toBeLessThanOrEqual(1);
  }, DEFAULT_TIMEOUT_MS + CASE.timeout);

  test('a server that never answers: the caller aborts', async () => {
    const server = await serve(silent);
    const outcome = await inChild({ action: 'loadModel', target: `${server.url}/m/`, abortAfterMs: 300 });
    expectRefused(outcome, 'ModelFormatError', /aborted .*stopped by the caller/);
  });

  test('a signal aborted before the call: no request at all', async () => {
    const server = await serve(files(nativeFolder));
    const outcome = await inChild({ action: 'loadModel', target: `${server.url}/m/`, abortAfterMs: 0 });
    expectRefused(outcome, 'ModelFormatError', /aborted .*stopped before the call/);
    expect(server.requests).toEqual([]);
  });

  test('a model.json trickled a byte every 200 ms', async () => {
    const server = await serve(files(nativeFolder, { 'model.json': trickle }));
    const outcome = await inChild({ action: 'loadModel', target: `${server.url}/m/`, options: { timeout: 1500 } });
    expectRefused(outcome, 'ModelFormatError', /model\.json: timed out after 1500 ms/);
  });

  // Where the time runs out depends on the machine's speed (normally in weights.bin); that it does, does not.
  test('a weights.bin trickled a byte every 200 ms: the timeout covers the whole load', async () => {
    const server = await serve(files(nativeFolder, { 'weights.bin': trickle }));
    const outcome = await inChild({ action: 'loadModel', target: `${server.url}/m/`, options: { timeout: 3000 } });
    expectRefused(outcome, 'ModelFormatError', /(model\.json|weights\.bin): timed out after 3000 ms/);
    expect(['/m/model.json', '/m/weights.bin']).toEqual(expect.arrayContaining(server.requests));
  });

  test('a TF.js shard trickled a byte every 200 ms', async () => {
    const server = await serve(files(tfjsFolder, { 'weights.bin': trickle }));
    const outcome = await inChild({ action: 'loadTfjs', target: `${server.url}/t/model.json`, options: { timeout: 3000 } });
    expectRefused(outcome, 'ModelFormatError', /(model\.json|weights\.bin): timed out after 3000 ms/);
  });

  test('an endless model.json of unknown length is cut off at the cap, and memory stays bounded', async () => {
    let sent = 0;
    const server = await serve((_, res) => {
      res.writeHead(200); // chunked: no length
      const chunk = Buffer.alloc(1 << 20, 0x20);
      const more = () => {
        while (sent < 1 << 30 && res.write(chunk)) sent += chunk.length;
      };
      res.on('drain', more);
      more();
    });
    const outcome = await inChild({ action: 'loadModel', target: `${server.url}/m/` });
    expectRefused(outcome, 'ModelFormatError', /model\.json: \d+ bytes is more than the 67108864/);
    expect(sent).toBeLessThan(2 * MAX_JSON_BYTES);
    console.log(`endless model.json over HTTP: child peak RSS grew ${outcome.result!.peakGrowthMiB.toFixed(1)} MiB (cap ${CAP_MIB} MiB)`);
    expect(outcome.result!.peakGrowthMiB).toBeLessThan(2 * CAP_MIB + 32);
  });

  test('a model.json declaring 65 MiB is refused before its body', async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-length': 65 << 20 });
      res.write(Buffer.alloc(1 << 16, 0x20));
    });
    expectRefused(await inChild({ action: 'loadModel', target: `${server.url}/m/` }), 'ModelFormatError', /model\.json: 68157440 bytes is more than/);
  });

  test('a connection dropped in the middle of the body', async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write('{"format": ');
      setTimeout(() => res.destroy(), 50);
    });
    expectRefused(await inChild({ action: 'loadModel', target: `${server.url}/m/` }), 'ModelFormatError', /model\.json/);
  });

  test('a redirect loop ends after a bounded number of requests', async () => {
    const server = await serve((_, res) => void res.writeHead(302, { location: '/m/model.json' }).end());
    expectRefused(await inChild({ action: 'loadModel', target: `${server.url}/m/` }), 'ModelFormatError', /cannot read .*model\.json/);
    expect(server.requests.length).toBeLessThanOrEqual(21);
  });

  test('a refused connection', async () => {
    const server = await serve(silent);
    await server.close();
    expectRefused(await inChild({ action: 'loadModel', target: `${server.url}/m/` }), 'ModelFormatError', /cannot read .*model\.json.*ECONNREFUSED/);
  });

  test('an HTTP error status', async () => {
    const server = await serve((_, res) => void res.writeHead(500).end());
    expectRefused(await inChild({ action: 'loadModel', target: `${server.url}/m/` }), 'ModelFormatError', /model\.json: .*HTTP 500/);
  });

  test('a valid model over HTTP still loads with a timeout, and nothing keeps the child alive', async () => {
    const server = await serve(files(nativeFolder));
    expectLoaded(await inChild({ action: 'loadModel', target: `${server.url}/m/`, options: { timeout: 3_600_000 }, predict: INPUT }));
    expect(server.requests).toEqual(['/m/model.json', '/m/weights.bin']);
  });

  test('a valid model over a URL object', async () => {
    const server = await serve(files(nativeFolder));
    expectLoaded(await inChild({ action: 'loadModel', target: `${server.url}/m/model.json`, asUrl: true, predict: INPUT }));
  });
});

describe('TF.js manifests', CASE, () => {
  /** Serves model.json with `paths` and counts every request. */
  async function manifestServer(paths: string[]): Promise<Server> {
    const json = tfjsManifest(paths);
    return serve(files(tfjsFolder, { 'model.json': (res) => res.end(json) }));
  }

  for (const count of [5_000, 100_000, 300_000]) {
    test(`${count} shard paths are refused before any shard is asked for`, async () => {
      const server = await manifestServer(shardNames(count));
      const outcome = await inChild({ action: 'loadTfjs', target: `${server.url}/t/` });
      expectRefused(outcome, 'ModelFormatError', new RegExp(`names ${count} weight files; expected at most 1000`));
      expect(server.requests).toEqual(['/t/model.json']);
    });
  }

  test('100 000 shard paths on disk are refused before any shard is opened', async () => {
    const folder = await copyOf(tfjsFolder);
    await writeFile(join(folder, 'model.json'), tfjsManifest(shardNames(100_000)));
    expectRefused(await inChild({ action: 'loadTfjs', target: folder }), 'ModelFormatError', /names 100000 weight files; expected at most 1000/);
  });

  test('more shards than the weights have bytes', async () => {
    const server = await manifestServer(shardNames(1000));
    const outcome = await inChild({ action: 'loadTfjs', target: `${server.url}/t/` });
    expectRefused(outcome, 'ModelFormatError', /names 1000 weight files for 104 bytes of weights/);
    expect(server.requests).toEqual(['/t/model.json']);
  });

  test('a shard path that leaves the folder: nothing but model.json is asked for', async () => {
    const server = await manifestServer(['../secret.bin']);
    expectRefused(await inChild({ action: 'loadTfjs', target: `${server.url}/t/` }), 'ModelFormatError', /plain file names \(no folders\)/);
    expect(server.requests).toEqual(['/t/model.json']);
  });

  test('an absolute shard path', async () => {
    const folder = await copyOf(tfjsFolder);
    await writeFile(join(folder, 'model.json'), tfjsManifest(['/etc/passwd']));
    expectRefused(await inChild({ action: 'loadTfjs', target: folder }), 'ModelFormatError', /plain file names \(no folders\)/);
  });

  test('a shard linked to /dev/zero', async () => {
    const folder = await copyOf(tfjsFolder);
    await replaceWithLink(join(folder, 'weights.bin'), '/dev/zero');
    expectRefused(await inChild({ action: 'loadTfjs', target: folder }), 'ModelFormatError', /weights\.bin: expected a file of the model's folder, got a link to "\/dev\/zero", outside it/);
  });

  test('a shard that is a FIFO', async () => {
    const folder = await copyOf(tfjsFolder);
    await replaceWithFifo(join(folder, 'weights.bin'));
    expectRefused(await inChild({ action: 'loadTfjs', target: folder }), 'ModelFormatError', /weights\.bin: expected a regular file, got a FIFO/);
  });

  test('a shard linked to /proc/self/maps is refused unread: it is not the folder\'s', async () => {
    const folder = await copyOf(tfjsFolder);
    await replaceWithLink(join(folder, 'weights.bin'), '/proc/self/maps');
    expectRefused(await inChild({ action: 'loadTfjs', target: folder }), 'ModelFormatError', /weights\.bin: expected a file of the model's folder, got a link to "\/proc\/.*", outside it/);
  });

  test('model.json linked to /dev/zero', async () => {
    const folder = await copyOf(tfjsFolder);
    await replaceWithLink(join(folder, 'model.json'), '/dev/zero');
    expectRefused(await inChild({ action: 'loadTfjs', target: folder }), 'ModelFormatError', /model\.json: expected a regular file, got a character device/);
  });
});

describe('saving', CASE, () => {
  /** Files in a folder whose name marks a temporary save file. */
  const leftovers = async (folder: string) => (await readdir(folder)).filter((n) => n.includes('.tmp'));

  test('into /proc/x: a typed error, no endless mkdir', async () => {
    expectRefused(await inChild({ action: 'saveModel', target: '/proc/x' }), 'ConfigError', /nn\.io\.saveModel: cannot make the folder \/proc\/x/);
  });

  test('into /proc/x/y/z', async () => {
    expectRefused(await inChild({ action: 'saveTfjs', target: '/proc/x/y/z' }), 'ConfigError', /nn\.io\.saveTfjs: cannot make the folder \/proc\/x/);
  });

  test('under a regular file', async () => {
    const file = join(dir, `plain-${++fixtures}.txt`);
    await writeFile(file, 'not a folder');
    expectRefused(await inChild({ action: 'saveModel', target: join(file, 'sub') }), 'ConfigError', /plain-\d+\.txt is not a folder/);
  });

  test('to a destination that is not a path', async () => {
    expectRefused(await inChild({ action: 'saveModel', target: 42 }), 'ConfigError', /nn\.io\.saveModel: expected a folder path, got 42/);
  });

  test('into new nested folders', async () => {
    const folder = join(dir, `new-${++fixtures}`, 'a', 'b');
    const outcome = await inChild({ action: 'saveModel', target: folder });
    expect(outcome.result?.error).toBeUndefined();
    expect((await nn.io.loadModel(folder)).predict(INPUT).data).toHaveLength(4);
    expect(await leftovers(folder)).toEqual([]);
  });

  for (const action of ['saveModel', 'saveTfjs'] as const) {
    test(`${action} over symlinked files replaces the links and leaves their targets alone`, async () => {
      const folder = await copyOf(action === 'saveModel' ? nativeFolder : tfjsFolder);
      const targets = join(dir, `targets-${++fixtures}`);
      await mkdir(targets);
      for (const name of ['model.json', 'weights.bin']) {
        await writeFile(join(targets, name), `precious ${name}`);
        await replaceWithLink(join(folder, name), join(targets, name));
      }
      const outcome = await inChild({ action, target: folder });
      expect(outcome.result?.error).toBeUndefined();
      for (const name of ['model.json', 'weights.bin']) {
        expect(await readFile(join(targets, name), 'utf8')).toBe(`precious ${name}`);
        expect((await lstat(join(folder, name))).isFile()).toBe(true);
      }
      const loaded = action === 'saveModel' ? await nn.io.loadModel(folder) : await nn.io.loadTfjs(folder);
      expect(loaded.predict(INPUT).data).toHaveLength(4);
      expect(await leftovers(folder)).toEqual([]);
    });
  }

  test('a save that fails leaves the old files and no temporary ones', async () => {
    const folder = await copyOf(nativeFolder);
    const before = await readFile(join(folder, 'model.json'), 'utf8');
    await replaceWithDirectory(join(folder, 'weights.bin'));
    const outcome = await inChild({ action: 'saveModel', target: folder });
    expectRefused(outcome, 'ConfigError', /nn\.io\.saveModel: cannot write .*weights\.bin/);
    expect(await readFile(join(folder, 'model.json'), 'utf8')).toBe(before);
    expect(await leftovers(folder)).toEqual([]);
  });

  test('a symlinked folder is written through (the caller chose it)', async () => {
    const real = join(dir, `real-${++fixtures}`);
    await mkdir(real);
    const link = join(dir, `link-${fixtures}`);
    await symlink(real, link);
    const outcome = await inChild({ action: 'saveModel', target: link });
    expect(outcome.result?.error).toBeUndefined();
    expect((await lstat(join(real, 'model.json'))).isFile()).toBe(true);
    expect(await readlink(link)).toBe(real);
  });
});
