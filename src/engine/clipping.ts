// Gradient clipping, the options every optimizer takes, as Keras' optimizers
// apply them before their update: clipnorm rescales each variable's gradient
// (each kernel, each bias) to a norm of at most c, globalClipnorm rescales all
// of them together, clipvalue clamps each value to [−c, c]. Keras takes one
// of the three at most, and so does this. The gradient block is changed in
// place: backprop writes it afresh every step.

import type { Core, Ptr } from '../backend/core';
import { inBlock } from '../backend/core';
import { ConfigError } from '../errors';
import { f32Positive } from '../options';

/** The clipping options every optimizer takes (at most one of them), as Keras' `clipnorm`, `clipvalue`, `global_clipnorm`. */
export interface ClipOptions {
  /** Rescale each variable's gradient (each layer's kernel, each bias) to an L2 norm of at most this; > 0. */
  clipnorm?: number;
  /** Clamp every gradient value to [−clipvalue, clipvalue]; > 0. */
  clipvalue?: number;
  /** Rescale all gradients together to a global L2 norm of at most this; > 0. */
  globalClipnorm?: number;
}

/** @internal Where one variable (a layer's kernel or bias) lies in the parameter block, in floats. */
export interface Variable {
  readonly offset: number;
  readonly length: number;
}

/** The checks of the clipping options, for an optimizer's checkOptions spec. */
export const CLIP_CHECKS = { clipnorm: f32Positive, clipvalue: f32Positive, globalClipnorm: f32Positive } as const;

const CLIP_KEYS = ['clipnorm', 'clipvalue', 'globalClipnorm'] as const;

/** The one clipping option given, if any, as config entries; more than one is a ConfigError (as Keras). */
export function clipConfig(o: ClipOptions, where: string): Partial<Record<keyof ClipOptions, number>> {
  const given = CLIP_KEYS.filter((k) => o[k] !== undefined);
  if (given.length > 1) {
    const got = given.map((k) => `${k} ${o[k]}`).join(' and ');
    throw new ConfigError(`${where}: expected at most one of clipnorm, clipvalue and globalClipnorm (as Keras), got ${got}`);
  }
  return given.length ? { [given[0]]: o[given[0]] } : {};
}

/** Clips the n gradients at `grads` in place as `clip` (from clipConfig) asks. */
export function clipGradients(core: Core, grads: Ptr, n: number, variables: readonly Variable[], clip: ClipOptions): void {
  if (clip.clipvalue !== undefined) core.clipValues(grads, n, clip.clipvalue);
  else if (clip.globalClipnorm !== undefined) clipNorm(core, grads, n, clip.globalClipnorm);
  else if (clip.clipnorm !== undefined) {
    for (const v of variables) clipNorm(core, inBlock(grads, v.offset), v.length, clip.clipnorm);
  }
}

/**
 * g ← g·c/‖g‖ when ‖g‖ > c (Keras' g·c/max(‖g‖, c), which leaves g as it is
 * otherwise). A norm that is not finite makes every value NaN, as Keras'
 * global clipping does, so the step fails visibly instead of going on unclipped.
 */
function clipNorm(core: Core, g: Ptr, n: number, c: number): void {
  const norm = Math.sqrt(core.sumOfSquares(g, n));
  if (!Number.isFinite(norm)) core.scale(g, n, NaN);
  else if (norm > c) core.scale(g, n, c / norm);
}
