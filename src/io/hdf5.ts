// Reading HDF5 files (Keras' .h5 files and the model.weights.h5 inside a
// .keras zip) with h5wasm, the HDF5 C library compiled to WebAssembly. It is
// 4 MB, so it is imported only when such a file is given: nothing else pays
// for it. Its ES module build inlines its Wasm and runs in Node and browsers
// alike (a page's bundler makes it a chunk of its own).
//
// h5wasm reads files from its in-memory file system: each call writes the
// bytes there under a name of its own, reads what it needs synchronously,
// and closes and deletes the file whatever happens, so nothing is left
// behind and concurrent calls never meet (nothing awaits between the write
// and the delete). What the file holds is untrusted: links to other files
// are refused, sizes are checked before anything is allocated for them, and
// only float datasets (16, 32 or 64 bits, either byte order) become numbers.

import type { KerasTensor } from './keras-config';
import { KerasProblem, fail, isWorded, show } from './keras-problem';

type H5wasm = typeof import('h5wasm');
type Entity = ReturnType<InstanceType<H5wasm['File']>['get']>;

/** What a path in the file is, as far as Keras files go. */
export type H5Kind = 'group' | 'dataset' | 'missing';

/** An open HDF5 file, read by absolute paths ("/model_weights/dense"). */
export interface H5File {
  /** A group's or dataset's attribute as h5wasm gives it (a string, a list of strings, a number…), or undefined. */
  attr(path: string, name: string): unknown;
  /** A group's member names. */
  keys(path: string): string[];
  /** What the path is; an external link (to another file) is refused. */
  kind(path: string): H5Kind;
  /** A float dataset's shape and values as float32; anything else is refused. */
  floats(path: string): KerasTensor;
}

/** nnwasm's MAX_PARAMS (engine/layers/registry.ts), repeated: this chunk imports nothing from nnwasm (keras-problem.ts says why). */
const MAX_VALUES = 1 << 27;
/** HDF5's class of float types (H5T_class_t). */
const H5T_FLOAT = 1;

let loaded: Promise<H5wasm> | undefined;
let files = 0;

/** h5wasm, imported and instantiated once, on first use. */
async function h5wasm(where: string): Promise<H5wasm> {
  loaded ??= import('h5wasm').then(async (m) => {
    await m.ready;
    return m;
  });
  try {
    return await loaded;
  } catch (e) {
    loaded = undefined; // a later call may try again (the chunk may have failed to download)
    throw new KerasProblem(`${where}: cannot load h5wasm, the HDF5 reader that .keras and .h5 files need ` +
      `(${e instanceof Error ? e.message : String(e)}); install the h5wasm package, or bundle it with the page`, 'config');
  }
}

/**
 * Runs `read` on the HDF5 file the bytes hold, then closes and deletes it.
 * HDF5's own failures become KerasProblems naming the file.
 */
export async function withHdf5<T>(bytes: Uint8Array, where: string, read: (file: H5File) => T): Promise<T> {
  const h5 = await h5wasm(where);
  const name = `/nnwasm-${++files}.h5`;
  const module = h5.Module;
  module.activate_throwing_error_handler(); // HDF5 errors as exceptions, not console output
  let file: InstanceType<H5wasm['File']> | undefined;
  try {
    h5.FS!.writeFile(name, bytes);
    file = new h5.File(name, 'r');
    if (!(file.file_id >= 0n)) fail(where, 'expected an HDF5 file, got bytes HDF5 cannot open');
    return read(reader(h5, file, bytes.length, where));
  } catch (e) {
    if (isWorded(e)) throw e;
    return fail(where, `HDF5 cannot read it: ${cause(e)}`);
  } finally {
    try {
      file?.close();
    } finally {
      h5.FS!.unlink(name);
      module.deactivate_throwing_error_handler();
    }
  }
}

/** HDF5's error stack, as its deepest cause ("#006: … in H5F__super_read(): file signature not found"), or the first line. */
function cause(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const causes = [...text.matchAll(/#\d+:.* in [\w.]+\(\): (.+)$/gm)].map((m) => m[1].trim());
  const line = causes.at(-1) ?? text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.length > 200 ? `${line.slice(0, 197)}…` : line;
}

function reader(h5: H5wasm, file: InstanceType<H5wasm['File']>, fileBytes: number, where: string): H5File {
  const budget = { left: fileBytes };
  const entity = (path: string): Entity => {
    const e = file.get(path);
    if (e instanceof h5.ExternalLink) fail(where, `${show(path)} is a link to another file (${show(e.filename)}); expected the weights in this file`);
    return e;
  };
  return {
    attr: (path, name) => {
      const e = path === '/' ? file : entity(path);
      if (!(e instanceof h5.Group || e instanceof h5.Dataset)) return undefined;
      const a = Object.hasOwn(e.attrs, name) ? e.attrs[name] : undefined;
      return a?.value ?? undefined;
    },
    keys: (path) => {
      const e = path === '/' ? file : entity(path);
      return e instanceof h5.Group ? e.keys() : [];
    },
    kind: (path) => {
      const e = entity(path);
      return e instanceof h5.Group ? 'group' : e instanceof h5.Dataset ? 'dataset' : 'missing';
    },
    floats: (path) => {
      const e = entity(path);
      if (!(e instanceof h5.Dataset)) fail(where, `expected a dataset at ${show(path)}, got ${e ? e.constructor.name : 'nothing'}`);
      return readFloats(h5, e, budget, `${where}, ${path}`);
    },
  };
}

/**
 * The dataset's values. Keras never compresses weights and stores each once,
 * so datasets adding up to more than the whole file are forged (sparse,
 * compressed or overlapping ones that would expand in memory): refused before
 * they are read. The raw bytes are decoded here: h5wasm itself reads no
 * float16, and this way every byte order reads alike.
 */
function readFloats(h5: H5wasm, d: InstanceType<H5wasm['Dataset']>, budget: { left: number }, where: string): KerasTensor {
  const m = d.metadata;
  if (m.type !== H5T_FLOAT || ![2, 4, 8].includes(m.size) || m.vlen) {
    fail(where, `expected float32, float16 or float64 weights, got ${show(d.dtype)} (HDF5 type class ${m.type}, ${m.size} bytes)`);
  }
  const shape = m.shape ?? [];
  let count = 1;
  for (const n of shape) {
    count *= n;
    if (count > MAX_VALUES) fail(where, `the dataset has more than ${MAX_VALUES} values; refusing to read it`);
  }
  if (count * m.size > budget.left) {
    fail(where, `the dataset's shape [${shape}] needs ${count * m.size} bytes, more than the ${budget.left} the file has left unread; expected uncompressed weights stored in the file`);
  }
  budget.left -= count * m.size;
  const bytes = rawData(h5, d, count * m.size);
  return { shape: [...shape], values: decode(bytes, m.size, m.littleEndian) };
}

function rawData(h5: H5wasm, d: InstanceType<H5wasm['Dataset']>, length: number): Uint8Array {
  const module = h5.Module as unknown as { _malloc(n: number): number; _free(p: number): void; HEAPU8: Uint8Array };
  const ptr = module._malloc(Math.max(length, 1));
  if (!ptr) throw new KerasProblem(`${d.path}: cannot allocate ${length} bytes in the HDF5 reader's memory`);
  try {
    h5.Module.get_dataset_data(d.file_id, d.path, null, null, null, BigInt(ptr));
    return module.HEAPU8.slice(ptr, ptr + length); // HEAPU8 read after the call: the call may have grown the memory
  } finally {
    module._free(ptr);
  }
}

/** Floats of `size` bytes in the given byte order, as float32. */
export function decode(bytes: Uint8Array, size: number, littleEndian: boolean): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / size);
  for (let i = 0; i < out.length; i++) {
    const at = i * size;
    out[i] = size === 4 ? view.getFloat32(at, littleEndian) : size === 8 ? view.getFloat64(at, littleEndian) : half(view.getUint16(at, littleEndian));
  }
  return out;
}

/** An IEEE 754 half-precision number's value. */
export function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
