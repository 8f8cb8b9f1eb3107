// Makes a Wasm build from another and a function patch: the relaxed-SIMD
// build is the SIMD build with the bodies of its GEMM kernels replaced
// (scripts/function-patch.ts writes the patch at build time and says why).
// Both are inlined, so nn.ready() has the relaxed build without a download.
// The patch names the base it was made from (its length, and the FNV-1a hash
// of the bodies it replaces): any other base is an internal error, never a
// wrong module.

import { CODE_SECTION as CODE, CUSTOM_SECTION as CUSTOM, fnv1a, leb, PATCH_SECTION as SECTION, Reader } from './wasm-binary';

const broken = (why: string) => new Error(`nnwasm internal error: a Wasm function patch cannot be applied: ${why}`);

/** A reader whose every error is the patch's internal error. */
const reader = (bytes: Uint8Array, at = 0) => new Reader(bytes, at, broken);

interface Patch {
  baseLength: number;
  /** FNV-1a of the replaced bodies as the base has them. */
  hash: number;
  /** The new bodies, by function index, in increasing order. */
  bodies: Map<number, Uint8Array>;
}

function readPatch(patch: Uint8Array): Patch {
  const r = reader(patch, 8);
  if (patch[8] !== CUSTOM) throw broken('expected a module of one custom section');
  r.take(1);
  const end = r.leb() + r.at;
  const name = new TextDecoder().decode(r.take(r.leb()));
  if (name !== SECTION) throw broken(`expected the custom section "${SECTION}", got "${name}"`);
  const baseLength = r.leb();
  const [h0, h1, h2, h3] = r.take(4);
  const bodies = new Map<number, Uint8Array>();
  for (let n = r.leb(); n > 0; n--) bodies.set(r.leb(), r.take(r.leb()));
  if (r.at !== end) throw broken('bytes are left after its last function');
  return { baseLength, hash: (h0 | (h1 << 8) | (h2 << 16) | (h3 << 24)) >>> 0, bodies };
}

/**
 * `base` with the function bodies `patch` replaces: a new module, `base`
 * untouched. Only the sizes of the functions it keeps are read, and they are
 * copied in runs: this runs once per page, on the cold start's path, before
 * the engine has compiled any of it.
 */
export function applyFunctionPatch(base: Uint8Array<ArrayBuffer>, patch: Uint8Array): Uint8Array<ArrayBuffer> {
  const { baseLength, hash, bodies: replaced } = readPatch(patch);
  const stale = () => broken('it was made from another build of the base (rebuild with npm run build)');
  if (base.length !== baseLength) throw stale();
  const { start, end, functions } = codeSection(base);
  const r = reader(base, functions);
  const count = r.leb();
  // The new section's content: the count, then runs of kept functions copied as they are, between new bodies.
  const pieces: Uint8Array[] = [Uint8Array.from(leb(count))];
  const old: Uint8Array[] = [];
  let kept = r.at;
  for (let i = 0; i < count; i++) {
    const at = r.at;
    const body = r.take(r.leb());
    const next = replaced.get(i);
    if (!next) continue;
    old.push(body);
    pieces.push(base.subarray(kept, at), Uint8Array.from(leb(next.length)), next);
    kept = r.at;
  }
  if (r.at !== end) throw broken('the base\'s code section holds more than its functions');
  if (old.length !== replaced.size || fnv1a(old) !== hash) throw stale();
  pieces.push(base.subarray(kept, end));
  const size = pieces.reduce((n, p) => n + p.length, 0);
  const header = [CODE, ...leb(size)];
  const out = new Uint8Array(start + header.length + size + (base.length - end));
  out.set(base.subarray(0, start));
  let at = start;
  for (const p of [header, ...pieces]) {
    out.set(p, at);
    at += p.length;
  }
  out.set(base.subarray(end), at);
  return out;
}

/** Where the base's code section is: its id's offset, its functions' (the count first), its end. */
function codeSection(base: Uint8Array): { start: number; functions: number; end: number } {
  const r = reader(base, 8);
  while (r.at < base.length) {
    const start = r.at;
    const id = r.take(1)[0];
    const size = r.leb();
    const functions = r.at;
    r.take(size);
    if (id === CODE) return { start, functions, end: r.at };
  }
  throw broken('the base has no code section');
}
