/**
 * The stressors, by name.
 *
 * @example
 * ```ts
 * import { stressorByName } from "./mod.ts";
 * console.log(stressorByName("fork").bogoOp); // one child forked and reaped
 * ```
 *
 * @module
 */

import type { StressorName } from "../probe_types.ts";
import { MEMORY_STRESSORS } from "./memory_stressors.ts";
import { PROCESS_STRESSORS } from "./process_stressors.ts";
import { treeStressor } from "./tree_stressor.ts";
import type { Stressor } from "./types.ts";

export {
  DEFAULT_STRESSOR_OPTIONS,
  type Stressor,
  type StressorContext,
  type StressorOptions,
  type StressorStep,
} from "./types.ts";

/** Every stressor, process stressors first, the tree's own API last. */
export const STRESSORS: readonly Stressor[] = [
  ...PROCESS_STRESSORS,
  ...MEMORY_STRESSORS,
  treeStressor,
];

/** The stressor called `name`. */
export function stressorByName(name: StressorName): Stressor {
  const found = STRESSORS.find((s) => s.name === name);
  if (!found) throw new RangeError(`no stressor "${name}"`);
  return found;
}
