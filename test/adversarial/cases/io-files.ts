// Model folders on disk that fight back: model.json as a symlink to
// /dev/zero, a FIFO, a socket or a folder; manifests naming 100 000 shards;
// saving into /proc, over a symlink, into a FIFO, where a file is. Reads must
// stop at their cap, never block, never escape the folder; failed saves must
// leave nothing half-written and nothing outside the folder changed.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as nn from '../../../src/index';
import type { Case, Expect, Tools } from '../harness/case';
import { makeModel } from '../harness/models';

const any = <T>(x: unknown) => x as T;
const MODEL = 'model.json';

/** A folder holding a valid native save, and its files' names. */
async function savedFolder(t: Tools): Promise<string> {
  const dir = join(t.tmp(), 'model');
  const m = makeModel('softmax', 1);
  try {
    await nn.io.saveModel(m, dir);
  } finally {
    m.dispose();
  }
  return dir;
}

function fifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

/** A loader call that must end with a ModelFormatError, within bounds of time and memory. */
const load = (id: string, what: string, make: (t: Tools) => Promise<string | unknown>, expect: Expect = 'throws', fast = false,
  error: string | string[] = 'ModelFormatError'): Case => ({
  id: `io-file.${id}`, cls: 'io-file', what, expect, fast, timeoutMs: 40_000,
  error: expect === 'throws' ? error : undefined,
  setup: make,
  run: async (source: unknown, t: Tools) => t.track(await t.bounded(nn.io.loadModel(any(source)), 'loadModel', { ms: 10_000, rssMb: 400 })),
});

const replaceJson = async (t: Tools, fn: (file: string) => void) => {
  const dir = await savedFolder(t);
  execFileSync('rm', [join(dir, MODEL)]);
  fn(join(dir, MODEL));
  return dir;
};

const loads: Case[] = [
  load('model.json-symlink-to-dev-zero', 'model.json is a symlink to /dev/zero', (t) => replaceJson(t, (f) => symlinkSync('/dev/zero', f)), 'throws', true),
  load('model.json-symlink-to-dev-urandom', 'model.json is a symlink to /dev/urandom', (t) => replaceJson(t, (f) => symlinkSync('/dev/urandom', f))),
  load('model.json-fifo', 'model.json is a FIFO nobody writes to', (t) => replaceJson(t, fifo), 'throws', true),
  load('model.json-directory', 'model.json is a directory', (t) => replaceJson(t, (f) => mkdirSync(f))),
  load('model.json-socket', 'model.json is a Unix socket', (t) => replaceJson(t, (f) => {
    const server = createServer().listen(f);
    t.cleanup(() => server.close());
  })),
  load('model.json-70MB-sparse', 'model.json is a 70 MB sparse file', (t) => replaceJson(t, (f) => {
    writeFileSync(f, '');
    truncateSync(f, 70 << 20);
  })),
  load('weights.bin-symlink-to-dev-zero', 'weights.bin is a symlink to /dev/zero', async (t) => {
    const dir = await savedFolder(t);
    execFileSync('rm', [join(dir, 'weights.bin')]);
    symlinkSync('/dev/zero', join(dir, 'weights.bin'));
    return dir;
  }),
  load('weights.bin-fifo', 'weights.bin is a FIFO', async (t) => {
    const dir = await savedFolder(t);
    execFileSync('rm', [join(dir, 'weights.bin')]);
    fifo(join(dir, 'weights.bin'));
    return dir;
  }),
  load('weights.bin-directory', 'weights.bin is a directory', async (t) => {
    const dir = await savedFolder(t);
    execFileSync('rm', [join(dir, 'weights.bin')]);
    mkdirSync(join(dir, 'weights.bin'));
    return dir;
  }),
  load('folder-named-x.json', 'a folder named x.json given as the model file', async (t) => {
    const dir = join(t.tmp(), 'x.json');
    mkdirSync(dir);
    return dir;
  }),
  load('json-path-is-weights', 'weights.bin given as the model file', async (t) => join(await savedFolder(t), 'weights.bin')),
  load('missing-path', 'a path that does not exist', async (t) => join(t.tmp(), 'nothing-here')),
  load('nul-in-path', 'a path with a NUL byte', async (t) => `${t.tmp()}/a\0b`, 'throws', false, ['ModelFormatError', 'ConfigError']),
  load('file-url-dev-zero', 'file:///dev/zero as a URL', async () => new URL('file:///dev/zero')),
  load('file-url-etc-passwd', 'file:///etc/passwd', async () => 'file:///etc/passwd'),
  load('symlinked-model.json', 'model.json a symlink to a valid model.json elsewhere', async (t) => {
    const dir = await savedFolder(t);
    const other = join(t.tmp(), 'elsewhere');
    mkdirSync(other);
    execFileSync('mv', [join(dir, MODEL), join(other, MODEL)]);
    symlinkSync(join(other, MODEL), join(dir, MODEL));
    return dir;
  }, 'either'),
];

/** A file of another format at `name` in a fresh folder, made by `make`; its path. */
async function single(t: Tools, name: string, make: (file: string) => void): Promise<string> {
  const file = join(t.tmp(), name);
  make(file);
  return file;
}

/** Files nn.loadModel recognises by content: what a hostile one gets, whatever its name says. */
const formatCases: Case[] = [
  load('onnx-symlink-to-dev-zero', 'iris.onnx is a symlink to /dev/zero', (t) => single(t, 'iris.onnx', (f) => symlinkSync('/dev/zero', f))),
  load('onnx-fifo', 'iris.onnx is a FIFO nobody writes to', (t) => single(t, 'iris.onnx', fifo)),
  { ...load('onnx-700MB-sparse', 'iris.onnx is a 700 MB sparse file: refused by its size, unread', (t) => single(t, 'iris.onnx', (f) => {
    writeFileSync(f, '');
    truncateSync(f, 700 << 20);
  })), says: [/iris\.onnx: 734003200 bytes is more than the \d+ a model file may have/] },
  { ...load('keras-70MB-of-zip-header', 'mnist.keras: a zip signature then 70 MB of zeros', (t) => single(t, 'mnist.keras', (f) => {
    writeFileSync(f, Uint8Array.of(0x50, 0x4b, 0x03, 0x04));
    truncateSync(f, 70 << 20);
  })), says: [/mnist\.keras\): expected a zip file \(a \.keras file\), got bytes without a zip directory/] },
  { ...load('h5-signature-only', 'model.h5 holding just the HDF5 signature', (t) => single(t, 'model.h5', (f) => writeFileSync(f, Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a)))),
    says: [/model\.h5\): HDF5 cannot read it/] },
  { ...load('protobuf-lengths-past-the-end', 'model.onnx whose protobuf lengths run past the end', (t) => single(t, 'model.onnx', (f) => writeFileSync(f, Uint8Array.of(0x08, 0x07, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2)))),
    says: [/expected a model file .*got bytes starting 08 07 3a ff/] },
  { ...load('tfjs-cnn-missing-shard', 'a TF.js CNN whose second shard is missing: refused for Conv2D before any shard is read', async (t) => {
    const dir = join(t.tmp(), 'cnn');
    mkdirSync(dir);
    writeFileSync(join(dir, MODEL), JSON.stringify({
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Conv2D', config: { name: 'conv', batch_input_shape: [null, 28, 28, 1] } }] } },
      weightsManifest: [{ paths: ['./group1-shard1of2.bin', './group1-shard2of2.bin'], weights: [{ name: 'conv/kernel', shape: [3, 3, 1, 8], dtype: 'float32' }] }],
    }));
    symlinkSync('/dev/zero', join(dir, 'group1-shard1of2.bin'));
    return dir;
  }), says: [/layer 0 \(conv\): unsupported layer class "Conv2D"/] },
  { ...load('graph-model-json', 'a TF.js graph model.json with 100 000 nodes', async (t) => {
    const dir = join(t.tmp(), 'graph');
    mkdirSync(dir);
    const node = Array.from({ length: 100_000 }, (_, i) => ({ name: `n${i}`, op: 'Identity', input: [i ? `n${i - 1}` : 'x'] }));
    writeFileSync(join(dir, MODEL), JSON.stringify({ format: 'graph-model', modelTopology: { node }, weightsManifest: [] }));
    return dir;
  }), says: [/TF\.js graph model: expected "modelTopology\.node" to list 1 to 10000 nodes, got 100000/] },
];

/** Sources of the wrong type (the brief's list). */
const sources: [string, unknown][] = [
  ['null', null], ['42', 42], ['undefined', undefined], ['true', true], ['empty-array', []], ['symbol', Symbol('x')],
  ['http-no-host', 'http://'], ['bad-percent-escape', 'http://127.0.0.1:1/%E0%A4%A.json'], ['bad-percent-path', '/tmp/%E0%A4%A.json'],
  ['href-number', { href: 42 }], ['javascript-url', 'javascript:alert(1)'], ['ftp-url', 'ftp://127.0.0.1/model.json'],
];
const badSources: Case[] = sources.map(([label, source]): Case => ({
  id: `io-file.loadModel-source-${label}`, cls: 'io-file', what: `nn.io.loadModel(${label})`, expect: 'throws',
  fast: label === 'bad-percent-escape',
  run: async (_s, t: Tools) => t.track(await t.bounded(nn.io.loadModel(any(source)), 'loadModel', { ms: 10_000 })),
}));

/** A TF.js model.json whose manifest names `count` shards: an empty file over and over, then the weights. */
async function manyShards(t: Tools, count: number): Promise<string> {
  const dir = join(t.tmp(), 'tfjs');
  const m = makeModel('softmax', 1);
  try {
    await nn.io.saveTfjs(m, dir);
  } finally {
    m.dispose();
  }
  const json = JSON.parse(readFileSync(join(dir, MODEL), 'utf8'));
  json.weightsManifest[0].paths = [...new Array(count - 1).fill('empty.bin'), 'weights.bin'];
  writeFileSync(join(dir, MODEL), JSON.stringify(json));
  writeFileSync(join(dir, 'empty.bin'), '');
  return dir;
}

const shardCases: Case[] = [
  ...[5000, 100_000, 300_000].map((count): Case => ({
    id: `io-file.loadTfjs-${count}-shards`, cls: 'io-file', what: `a TF.js manifest naming ${count} shards`, expect: 'throws',
    error: 'ModelFormatError', fast: count === 300_000, timeoutMs: 40_000,
    setup: (t) => manyShards(t, count),
    run: async (dir: string, t: Tools) => t.track(await t.bounded(nn.io.loadTfjs(dir), 'loadTfjs', { ms: 15_000 })),
  })),
  ...['../weights.bin', '/etc/passwd', 'sub/weights.bin', '..', '.hidden'].map((path): Case => ({
    id: `io-file.loadTfjs-shard-path-${path.replace(/[^\w]+/g, '_')}`, cls: 'io-file', what: `a TF.js shard path ${path}`, expect: 'throws',
    error: 'ModelFormatError',
    setup: async (t) => {
      const dir = await manyShards(t, 1);
      const json = JSON.parse(readFileSync(join(dir, MODEL), 'utf8'));
      json.weightsManifest[0].paths = [path];
      writeFileSync(join(dir, MODEL), JSON.stringify(json));
      return dir;
    },
    run: async (dir: string, t: Tools) => t.track(await t.bounded(nn.io.loadTfjs(dir), 'loadTfjs')),
  })),
];

/** Saving where it cannot, or should not, write. */
function saveCases(): Case[] {
  const save = (id: string, what: string, run: (m: nn.Sequential, t: Tools) => Promise<unknown>, expect: Expect = 'throws', fresh = false): Case => ({
    id: `io-file.${id}`, cls: 'io-file', what, expect, fresh, timeoutMs: 40_000, fast: id === 'saveModel-over-symlink',
    setup: (t) => t.trained(),
    run: (m: nn.Sequential, t: Tools) => run(m, t),
  });
  const overSymlink = (saver: (m: nn.Sequential, dir: string) => Promise<void>) => async (m: nn.Sequential, t: Tools) => {
    const dir = t.tmp();
    const target = join(t.tmp(), 'precious.txt');
    writeFileSync(target, 'precious');
    symlinkSync(target, join(dir, MODEL));
    await t.bounded(saver(m, dir), 'save');
    t.check(readFileSync(target, 'utf8') === 'precious', 'saving over a symlinked model.json overwrote the file the link points to');
  };
  return [
    save('saveModel-to-proc', "nn.io.saveModel(m, '/proc/x')", (m, t) => t.bounded(nn.io.saveModel(m, '/proc/x'), 'saveModel', { ms: 10_000 }), 'throws', true),
    save('saveTfjs-to-proc', "nn.io.saveTfjs(m, '/proc/x')", (m, t) => t.bounded(nn.io.saveTfjs(m, '/proc/x'), 'saveTfjs', { ms: 10_000 }), 'throws', true),
    save('saveModel-over-symlink', 'saveModel into a folder whose model.json is a symlink to another file', overSymlink((m, d) => nn.io.saveModel(m, d)), 'either'),
    save('saveTfjs-over-symlink', 'saveTfjs into a folder whose model.json is a symlink to another file', overSymlink((m, d) => nn.io.saveTfjs(m, d)), 'either'),
    save('saveModel-into-fifo', 'saveModel into a folder whose model.json is a FIFO', async (m, t) => {
      const dir = t.tmp();
      fifo(join(dir, MODEL));
      await t.bounded(nn.io.saveModel(m, dir), 'saveModel', { ms: 10_000 });
    }, 'either', true),
    save('saveModel-onto-file', 'saveModel to a path that is a file', async (m, t) => {
      const file = join(t.tmp(), 'file');
      writeFileSync(file, 'x');
      await t.bounded(nn.io.saveModel(m, file), 'saveModel');
    }),
    save('saveModel-under-file', 'saveModel into a folder below a file', async (m, t) => {
      const file = join(t.tmp(), 'file');
      writeFileSync(file, 'x');
      await t.bounded(nn.io.saveModel(m, join(file, 'sub')), 'saveModel');
    }),
    save('saveModel-weights-is-directory', 'saveModel where weights.bin is a directory: fails and leaves no half-written files', async (m, t) => {
      const dir = t.tmp();
      mkdirSync(join(dir, 'weights.bin'));
      try {
        await t.bounded(nn.io.saveModel(m, dir), 'saveModel');
      } finally {
        const left = readdirSync(dir).filter((f) => f !== 'weights.bin');
        t.check(left.length === 0, `a failed save left ${left.join(', ')} behind`);
      }
    }),
    save('saveModel-empty-path', "saveModel(m, '') (must not write into the working directory)", async (m, t) => {
      const cwd = process.cwd();
      const here = t.tmp();
      process.chdir(here);
      try {
        await t.bounded(nn.io.saveModel(m, ''), 'saveModel');
      } finally {
        process.chdir(cwd);
        t.check(!existsSync(join(here, MODEL)), "saveModel(m, '') wrote model.json into the working directory");
      }
    }),
    save('saveModel-null-path', 'saveModel(m, null)', (m, t) => t.bounded(nn.io.saveModel(m, any(null)), 'saveModel')),
    save('saveModel-number-path', 'saveModel(m, 42)', (m, t) => t.bounded(nn.io.saveModel(m, any(42)), 'saveModel')),
  ];
}

export function ioFileCases(): Case[] {
  return [...loads, ...formatCases, ...badSources, ...shardCases, ...saveCases()];
}
