/**
 * How `bench --shard K/N` splits its plan (see `bisect/shard.ts` for K/N itself).
 *
 * **Versions.** A bench plan is a grid: versions × cases, one sample set per cell. With at
 * least N cases the grid is dealt **by case** (case c goes to shard (c mod N) + 1, on every
 * version), so that every version of a case is measured by one shard, on one machine, and a
 * comparison of two versions inside the merged record never crosses machines. With fewer
 * cases than shards that would leave shards idle, so the cells are dealt round-robin in plan
 * order (version by version, cases in the harness's order): the versions of one case then
 * spread over the shards, and `compare` refuses the pairs that ran on different machines.
 * Every shard measures its cells over every round, interleaving the versions as an
 * unsharded run does.
 *
 * **Commits** (`--git`). A commit's record is whole (every case, every round, one machine),
 * so the unit is the commit: shard K takes the K-th of N contiguous blocks of the commits
 * picked. Blocks rather than round-robin, because a history compares neighbouring commits,
 * and neighbours in one block were measured on one machine.
 *
 * @example
 * ```ts
 * import { benchShardCases } from "./shard.ts";
 * const cases = ["core/a", "core/b", "core/c"];
 * console.log(benchShardCases({ index: 2, count: 3 }, 2, cases)); // [["core/b"], ["core/b"]]
 * ```
 *
 * @module
 */

import { ownsUnit } from "../bisect/shard.ts";

/** K of N, K from 1. */
type Shard = { readonly index: number; readonly count: number };

/**
 * The cases shard `shard` measures on each of `versions` versions (an empty list for a
 * version it leaves to other shards); every case on every version without a shard.
 *
 * @example
 * ```ts
 * import { benchShardCases } from "./shard.ts";
 * // One case, three versions, three shards: a version each.
 * console.log(benchShardCases({ index: 3, count: 3 }, 3, ["core/dup-30"])); // [[], [], ["core/dup-30"]]
 * ```
 */
export function benchShardCases(
  shard: Shard | undefined,
  versions: number,
  cases: readonly string[],
): string[][] {
  const all = Array.from({ length: versions }, () => [...cases]);
  if (!shard) return all;
  if (cases.length >= shard.count) {
    const mine = cases.filter((_, c) => ownsUnit(shard, c));
    return all.map(() => [...mine]);
  }
  return all.map((_, v) => cases.filter((_, c) => ownsUnit(shard, v * cases.length + c)));
}

/**
 * The commits (by position in the list picked) that shard `shard` measures: its contiguous
 * block, `[start, end)`; the blocks of shards 1..N cover `0..count` once, their sizes
 * differing by at most one.
 *
 * @example
 * ```ts
 * import { commitBlock } from "./shard.ts";
 * console.log([1, 2, 3].map((index) => commitBlock({ index, count: 3 }, 7)));
 * // [{ start: 0, end: 2 }, { start: 2, end: 4 }, { start: 4, end: 7 }]
 * ```
 */
export function commitBlock(shard: Shard, count: number): { start: number; end: number } {
  return {
    start: Math.floor(((shard.index - 1) * count) / shard.count),
    end: Math.floor((shard.index * count) / shard.count),
  };
}
