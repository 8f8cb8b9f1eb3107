// Where Keras keeps a layer's weights in an HDF5 file, for the two layouts
// Keras has written. Each gives weightsOf(layerName): that layer's weights in
// Keras' order (kernel, bias; gamma, beta, moving_mean, moving_variance).
//
//   .keras (model.weights.h5)   layers/<path>/vars/0, 1, …   (Keras 3, and Keras 2.13–2.15)
//        Keras 3 names <path> after the layer's class, counted per class ("dense",
//        "dense_1"…, whatever the layers are called) and, since 3.9 or so, writes the
//        layer's name as the vars group's "name" attribute; Keras 2 named <path> after
//        the layer, nested some under _layer_checkpoint_dependencies, and on Windows
//        joined the path with a backslash (a root group "layers\<name>")
//   legacy .h5                  model_weights/<name>, whose weight_names attribute lists
//        its datasets in order: "dense/kernel:0" (Keras 2), "sequential/dense/kernel" (Keras 3),
//        "dense_1_W" (Keras 1); the model's config is the root's model_config attribute
//
// The vars layout names no layer in a dataset, so layers are found by
// walking the groups (skipping the optimizer's and metrics' state), bounded
// in depth and count: soft links can make the tree a cycle.

import type { KerasTensor } from './keras-config';
import type { H5File } from './hdf5';
import { fail, own, parseJSON, show } from './keras-problem';

export type WeightsOf = (layerName: string) => readonly KerasTensor[] | undefined;

/** Deeper than this, a group is no Keras layer (nested models add two levels each). */
const MAX_DEPTH = 12;
/** More groups than this is no model nnwasm could hold. */
const MAX_GROUPS = 20_000;
/** What the vars layout keeps beside the layers: not weights. */
const NOT_LAYERS = /^(optimizer|metrics|compile_metrics|loss)/;

/** What the vars layout needs to know of the model: which Keras wrote it, and its layers in order. */
export interface VarsContext {
  /** The major version in metadata.json's keras_version (3 when it says nothing). */
  kerasMajor: number;
  /** The config's layers, in order: their names and classes. */
  layers: readonly { name: string; className: string }[];
}

/**
 * The vars layout: each layer's vars group, found by its "name" attribute
 * (Keras 3.9 and later write one), else by its path. Keras 2 named the path
 * after the layer; Keras 3 after its class, counted per class in the model's
 * order ("dense", "dense_1"…) whatever the layers are called.
 */
export function varsLayout(file: H5File, context: VarsContext, where: string): WeightsOf {
  const groups = varsGroups(file, where);
  const byAttr = new Map<string, string>();
  const byPath = new Map<string, string>();
  for (const g of groups) {
    if (typeof g.attrName === 'string' && !byAttr.has(g.attrName)) byAttr.set(g.attrName, g.vars);
    if (!byPath.has(g.pathName)) byPath.set(g.pathName, g.vars);
  }
  const keras3Paths = classCountedNames(context.layers);
  const locate = (name: string): string | undefined => {
    if (byAttr.size) return byAttr.get(name);
    return byPath.get(context.kerasMajor >= 3 ? keras3Paths.get(name) ?? name : name);
  };
  return (name) => {
    const vars = locate(name);
    if (vars === undefined) return undefined;
    const indexes = file.keys(vars).filter((k) => /^\d+$/.test(k)).map(Number).sort((a, b) => a - b);
    return indexes.map((i) => file.floats(`${vars}/${i}`));
  };
}

/** Keras 3's path name of each layer: its class in snake case, numbered from the second of that class on. */
function classCountedNames(layers: VarsContext['layers']): Map<string, string> {
  const seen = new Map<string, number>();
  const out = new Map<string, string>();
  for (const { name, className } of layers) {
    const base = snakeCase(className);
    const n = seen.get(base);
    seen.set(base, n === undefined ? 0 : n + 1);
    if (!out.has(name)) out.set(name, n === undefined ? base : `${base}_${n + 1}`);
  }
  return out;
}

/** Keras' to_snake_case: BatchNormalization → batch_normalization. */
function snakeCase(name: string): string {
  return name.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

interface VarsGroup {
  /** The vars group's path. */
  vars: string;
  /** The last part of its parent's path. */
  pathName: string;
  /** Its "name" attribute, when Keras wrote one. */
  attrName: unknown;
}

/** Every group holding a vars group, shallowest first, skipping the optimizer's and metrics' state. */
function varsGroups(file: H5File, where: string): VarsGroup[] {
  const found: VarsGroup[] = [];
  let count = 0;
  let level: string[] = file.keys('/').filter((k) => !NOT_LAYERS.test(k)).map((k) => `/${k}`);
  for (let depth = 0; level.length && depth < MAX_DEPTH; depth++) {
    const next: string[] = [];
    for (const path of level) {
      if (++count > MAX_GROUPS) fail(where, `the weights file has more than ${MAX_GROUPS} groups; expected a model's layers`);
      if (file.kind(path) !== 'group') continue;
      const keys = file.keys(path);
      if (keys.includes('vars') && file.kind(`${path}/vars`) === 'group') {
        found.push({ vars: `${path}/vars`, pathName: lastName(path), attrName: file.attr(`${path}/vars`, 'name') });
      }
      for (const k of keys) if (k !== 'vars') next.push(`${path}/${k}`);
    }
    level = next;
  }
  return found;
}

/** The layers a Keras config lists, in order, for locating their weights (the topology itself is checked elsewhere). */
export function configLayers(topology: unknown): VarsContext['layers'] {
  const top = own(topology, 'model_config') ?? topology;
  const config = own(top, 'config');
  const list = Array.isArray(config) ? config : own(config, 'layers');
  if (!Array.isArray(list)) return [];
  return list.map((l) => ({ name: String(own(own(l, 'config'), 'name')), className: String(own(l, 'class_name')) }));
}

/** A group's own name: the last part of its path, whichever separator joined it. */
function lastName(path: string): string {
  const parts = path.split(/[/\\]/);
  return parts[parts.length - 1];
}

/**
 * The model config of a legacy .h5 file (its root's model_config attribute),
 * refusing files without one: weights-only files and HDF5 files Keras did not write.
 */
export function legacyConfig(file: H5File, where: string): unknown {
  const config = file.attr('/', 'model_config');
  if (config === undefined) {
    const weightsOnly = file.attr('/', 'layer_names') !== undefined || file.keys('/').includes('layers') || file.keys('/').includes('vars');
    fail(where, weightsOnly
      ? 'this is a weights-only file (what model.save_weights writes): it has no model config; expected a whole model saved with model.save(".keras" or ".h5")'
      : 'expected a Keras model (an HDF5 file with a "model_config" attribute), got an HDF5 file without one');
  }
  if (typeof config !== 'string' && !(config instanceof Uint8Array)) fail(where, `expected the "model_config" attribute to be JSON text, got ${show(config)}`);
  return parseJSON(config, `${where}, model_config`);
}

/** The legacy layout: model_weights/<name>, its datasets listed in weight_names order. */
export function legacyLayout(file: H5File, where: string): WeightsOf {
  if (file.kind('/model_weights') !== 'group') fail(where, 'expected a "model_weights" group beside the model config, got none');
  return (name) => {
    const group = `/model_weights/${name}`;
    if (/[/\\]|^\.\.?$/.test(name) || file.kind(group) !== 'group') return undefined; // a name never leads elsewhere in the file
    const names = weightNames(file.attr(group, 'weight_names'), `${where}, ${group}`);
    return names.map((w) => file.floats(`${group}/${w}`));
  };
}

/** weight_names as a list: h5wasm gives an empty attribute as {} or [], a single name as a string. */
function weightNames(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : typeof v === 'object' && Object.keys(v).length === 0 ? [] : undefined;
  if (!list || !list.every((n) => typeof n === 'string')) fail(where, `expected "weight_names" to list dataset names, got ${show(v)}`);
  return list;
}
