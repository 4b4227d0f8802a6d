/**
 * What a stressor is: a named generator of primitive operations with stress-ng's definition
 * of one bogo op, plus the options that size its work.
 *
 * @example
 * ```ts
 * import { DEFAULT_STRESSOR_OPTIONS } from "./types.ts";
 * console.log(DEFAULT_STRESSOR_OPTIONS.mmapPages); // 16
 * ```
 *
 * @module
 */

import type { StressorName } from "../probe_types.ts";
import type { Mwc } from "../prng.ts";
import type { OperationResult, ProcessTree } from "../process.ts";
import type { Operation } from "../operations.ts";

/** Sizes of the stressors' work; stress-ng's figure is noted where ours differs. */
export interface StressorOptions {
  /** fork/vfork: children created before they are reaped (stress-ng `--fork-max`, default 1). */
  readonly forkMax: number;
  /** clone: pages of the populated anonymous region the worker maps first (stress-ng 32,768). */
  readonly cloneRegionPages: number;
  /** forkheavy: resource allocation rounds before forking (stress-ng 16,384 → ~4,200 VMAs). */
  readonly forkheavyAllocs: number;
  /** mmapfork: children per round (stress-ng 32). */
  readonly mmapforkChildren: number;
  /** mmapfork: pages each child maps (stress-ng: free RAM / 64, ~90,000 here). */
  readonly mmapforkPages: number;
  /** mmap: pages per cycle (stress-ng 256 MiB = 65,536; each page costs five operations). */
  readonly mmapPages: number;
  /** mremap: pages of the region halved and doubled (stress-ng 256 MiB; cost is logarithmic). */
  readonly mremapPages: number;
  /** mprotect: processes sharing the region (stress-ng: the worker plus 7 forked helpers). */
  readonly mprotectActors: number;
}

/** The defaults. */
export const DEFAULT_STRESSOR_OPTIONS: StressorOptions = {
  forkMax: 1,
  cloneRegionPages: 32_768,
  forkheavyAllocs: 16_384,
  mmapforkChildren: 32,
  mmapforkPages: 90_000,
  mmapPages: 16,
  mremapPages: 256,
  mprotectActors: 8,
};

/** What a stressor's step can use. */
export interface StressorContext {
  readonly rng: Mwc;
  readonly processes: ProcessTree;
  readonly options: StressorOptions;
  /** Apply one primitive operation (recorded, checked, counted as the run requires). */
  run(op: Operation): OperationResult;
}

/** A running stressor: each call does the operations of one or more bogo ops. */
export type StressorStep = () => number;

/** A stressor definition. */
export interface Stressor {
  readonly name: StressorName;
  /** stress-ng's bogo op, in a few words. */
  readonly bogoOp: string;
  /** Set up (operations here are not counted) and return the step function. */
  start(context: StressorContext): StressorStep;
}
