// Model URLs served by hostile HTTP servers on 127.0.0.1: silent, trickling,
// lying about lengths, compressing a bomb, redirecting in circles, cutting
// the body short, listing 100 000 shards. A load must end (by its timeout or
// signal) with a typed error, read no more than its cap, and ask the server
// for no more files than the model has.

import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as nn from '../../../src/index';
import type { Case, Expect, Tools } from '../harness/case';
import { makeModel } from '../harness/models';

const any = <T>(x: unknown) => x as T;
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A valid native save as its two files' bytes. */
function savedFiles(): { json: string; weights: Buffer } {
  const m = makeModel('softmax', 1);
  try {
    const { json, weights } = nn.io.save(m);
    return { json: JSON.stringify(json), weights: Buffer.from(weights) };
  } finally {
    m.dispose();
  }
}

/** Serves the valid files, except where `hostile` answers first (it returns true when it did). */
function serving(hostile: (req: IncomingMessage, res: ServerResponse, files: ReturnType<typeof savedFiles>) => boolean): (files: ReturnType<typeof savedFiles>) => Handler {
  return (files) => (req, res) => {
    if (hostile(req, res, files)) return;
    if (req.url?.endsWith('model.json')) res.end(files.json);
    else if (req.url?.endsWith('weights.bin')) res.end(files.weights);
    else res.writeHead(404).end();
  };
}

const never = (req: IncomingMessage) => req.url?.endsWith('model.json') ?? false;

const trickle = (res: ServerResponse, text: string) => {
  let i = 0;
  const timer = setInterval(() => (i < text.length ? res.write(text[i++]) : (clearInterval(timer), res.end())), 200);
  res.on('close', () => clearInterval(timer));
};

interface Attack {
  id: string;
  what: string;
  expect?: Expect;
  handler: (files: ReturnType<typeof savedFiles>) => Handler;
  options?: () => Record<string, unknown>;
  /** The bound on the whole load (ms), generous: it only detects hangs. */
  ms?: number;
  maxRequests?: number;
  path?: string;
  fast?: boolean;
}

const attacks: Attack[] = [
  { id: 'silent-with-timeout', what: 'a server that never answers, load with { timeout: 1000 }', handler: serving((req) => never(req)), options: () => ({ timeout: 1000 }), fast: true },
  { id: 'silent-with-signal', what: 'a server that never answers, load with an AbortSignal of 1 s', handler: serving((req) => never(req)), options: () => ({ signal: AbortSignal.timeout(1000) }) },
  { id: 'silent-default-timeout', what: 'a server that never answers, default options (documented default timeout)', handler: serving((req) => never(req)), ms: 45_000 },
  {
    id: 'trickle-with-timeout', what: 'a server that sends a byte every 200 ms, load with { timeout: 2000 }',
    handler: serving((req, res, f) => (never(req) ? (trickle(res, f.json), true) : false)), options: () => ({ timeout: 2000 }),
  },
  {
    id: 'headers-then-silence', what: 'headers sent, then no body, load with { timeout: 1000 }',
    handler: serving((req, res) => (never(req) ? (res.writeHead(200, { 'content-length': '1000' }), res.flushHeaders(), true) : false)), options: () => ({ timeout: 1000 }),
  },
  {
    id: 'endless-body', what: 'model.json streamed without end or length (100 MB of spaces)',
    handler: serving((req, res) => {
      if (!never(req)) return false;
      const chunk = ' '.repeat(1 << 20);
      let sent = 0;
      const pump = () => {
        while (sent < 100 && res.write(chunk)) sent++;
        if (sent >= 100) res.end();
      };
      res.on('drain', pump);
      pump();
      return true;
    }),
  },
  {
    id: 'gzip-bomb', what: 'model.json as a gzip bomb (200 MB inflated)',
    handler: serving((req, res) => {
      if (!never(req)) return false;
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(200 << 20, 32)));
      return true;
    }),
  },
  {
    id: 'weights-cut-short', what: 'weights.bin declares its length and stops halfway',
    handler: serving((req, res, f) => {
      if (!req.url?.endsWith('weights.bin')) return false;
      res.writeHead(200, { 'content-length': String(f.weights.length) });
      res.write(f.weights.subarray(0, f.weights.length >> 1));
      setTimeout(() => res.destroy(), 50);
      return true;
    }),
  },
  {
    id: 'length-lies-small', what: 'weights.bin with content-length smaller than what it sends',
    handler: serving((req, res, f) => (req.url?.endsWith('weights.bin') ? (res.writeHead(200, { 'content-length': '8' }).end(f.weights), true) : false)),
  },
  { id: 'redirect-loop', what: 'model.json redirects to itself forever', handler: serving((req, res) => (never(req) ? (res.writeHead(302, { location: req.url }).end(), true) : false)) },
  { id: 'redirect-to-file', what: 'model.json redirects to file:///etc/passwd', handler: serving((req, res) => (never(req) ? (res.writeHead(302, { location: 'file:///etc/passwd' }).end(), true) : false)) },
  { id: 'status-500', what: 'the server answers 500', handler: serving((_req, res) => (res.writeHead(500).end('boom'), true)) },
  { id: 'html-page', what: 'an HTML page instead of model.json', handler: serving((req, res) => (never(req) ? (res.end('<html><body>login</body></html>'), true) : false)) },
  {
    id: 'weights-for-another-model', what: 'weights.bin of another, bigger model',
    handler: serving((req, res) => (req.url?.endsWith('weights.bin') ? (res.end(Buffer.alloc(4096)), true) : false)),
  },
  { id: 'valid', what: 'a well-behaved server', expect: 'succeeds', handler: serving(() => false), maxRequests: 2 },
];

function urlCases(): Case[] {
  return attacks.map((a): Case => ({
    id: `io-url.${a.id}`, cls: 'io-url', what: a.what, expect: a.expect ?? 'throws', fast: a.fast,
    error: (a.expect ?? 'throws') === 'throws' ? 'ModelFormatError' : undefined,
    timeoutMs: (a.ms ?? 10_000) + 20_000,
    setup: (t) => t.serve(a.handler(savedFiles())),
    run: async (server: { url: string; requests: () => number }, t: Tools) => {
      const p = nn.io.loadModel(`${server.url}/m/${a.path ?? 'model.json'}`, any(a.options?.()));
      t.track(await t.bounded(p, 'loadModel', { ms: a.ms ?? 10_000, rssMb: 400 }));
      if (a.maxRequests) t.check(server.requests() <= a.maxRequests, `${server.requests()} requests for a model of 2 files`);
    },
  }));
}

/** A TF.js manifest over HTTP naming thousands of shards: refused after reading model.json alone. */
function shardCases(): Case[] {
  return [5000, 100_000, 300_000].map((count): Case => ({
    id: `io-url.loadTfjs-${count}-shards`, cls: 'io-url', what: `a TF.js model.json over HTTP naming ${count} shards`, expect: 'throws',
    error: 'ModelFormatError', timeoutMs: 40_000, fast: count === 5000,
    setup: async (t) => {
      const m = makeModel('softmax', 1);
      const a = nn.io.toTfjs(m);
      m.dispose();
      const json = JSON.stringify({
        format: 'layers-model', modelTopology: a.modelTopology,
        weightsManifest: [{ paths: new Array(count).fill('weights.bin'), weights: a.weightSpecs }],
      });
      const server = await t.serve((req, res) => (req.url?.endsWith('model.json') ? res.end(json) : res.end(Buffer.alloc(0))));
      return server;
    },
    run: async (server: { url: string; requests: () => number }, t: Tools) => {
      try {
        t.track(await t.bounded(nn.io.loadTfjs(`${server.url}/model.json`), 'loadTfjs', { ms: 15_000 }));
      } finally {
        t.check(server.requests() <= 1, `${server.requests()} HTTP requests before the manifest was refused`);
      }
    },
  }));
}

/** URLs that are malformed or point nowhere. */
function addressCases(): Case[] {
  const urls: [string, (t: Tools) => string | Promise<string> | URL][] = [
    ['refused-port', () => 'http://127.0.0.1:1/model.json'],
    ['credentials', () => 'http://user:pass@127.0.0.1:1/model.json'],
    ['url-object-refused', () => new URL('http://127.0.0.1:1/m/')],
    ['data-url', () => `data:application/json,${encodeURIComponent('{"format":"nnwasm-model"}')}`],
  ];
  return urls.map(([label, make]): Case => ({
    id: `io-url.address-${label}`, cls: 'io-url', what: `loadModel of ${label}`, expect: 'throws', error: 'ModelFormatError',
    run: async (_s, t: Tools) => t.track(await t.bounded(nn.io.loadModel(any(await make(t))), 'loadModel')),
  }));
}

export function ioUrlCases(): Case[] {
  return [...urlCases(), ...shardCases(), ...addressCases()];
}
