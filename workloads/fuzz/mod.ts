/**
 * Fuzz material: cases (a layout and an explicit operation list) generated from a seed,
 * mutations of real layouts, and the reductions a shrinker tries. The fixture version
 * `fixtures/gapped-dup/` (a bulk dup that crashes on some gapped layouts) lives here too.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../../core/loader.ts";
 * import { caseProbe, generateCase } from "./mod.ts";
 * const { module } = await loadVersion("testing/reference");
 * console.log(caseProbe(generateCase(module, "fork", 1)).verify); // true
 * ```
 *
 * @module
 */

export {
  caseProbe,
  churnOperation,
  FUZZ_SIZES,
  type FuzzCase,
  generateCase,
  MAX_CASE_OPERATIONS,
  MAX_NEAR_MUTATIONS,
  type SeedLayout,
} from "./case_gen.ts";
export { mutateLayout, mutateNear } from "./mutate.ts";
export { materializePrefix, mergeNeighbours, shortenVma, simplerOperations } from "./reduce.ts";
