/**
 * tree: the version's own tree API, driven directly, the way the kernel's
 * `lib/test_maple_tree.c` drives the tree rather than an address space (stress-ng's `tree`
 * stressor exercises its own trees the same way). Each bogo op is one session
 * (`../tree_session.ts`) on a fresh tree: a seeded mix of stores, cursor stores, inserts,
 * erases, reads, gap searches, dups and clears over a key space from 16 to 20,000 keys, on an
 * allocation or a plain tree. The layout's mm is left alone; only the sessions use the tree.
 *
 * @example
 * ```ts
 * import { treeStressor } from "./tree_stressor.ts";
 * console.log(treeStressor.bogoOp); // one session of 100 tree operations
 * ```
 *
 * @module
 */

import type { Stressor } from "./types.ts";

/** Operations per session. */
const SESSION_OPS = 100;

/** Key spaces: one leaf, a few leaves, a tall tree, a sparse one. */
const KEY_SPACES = [16, 100, 1_000, 20_000] as const;

/** The `tree` stressor. */
export const treeStressor: Stressor = {
  name: "tree",
  bogoOp: `one session of ${SESSION_OPS} tree operations`,
  start({ run, rng }) {
    return () => {
      run({
        op: "tree",
        seed: rng.next32(),
        ops: SESSION_OPS,
        keys: rng.pick(KEY_SPACES),
        allocRange: rng.chance(0.5),
      });
      return 1;
    };
  },
};
