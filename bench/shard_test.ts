import assert from "node:assert/strict";
import { benchShardCases, commitBlock } from "./shard.ts";

/** Every (version, case) cell the shards of `count` measure, with the shard of each. */
function dealt(count: number, versions: number, cases: readonly string[]): Map<string, number> {
  const holder = new Map<string, number>();
  for (let index = 1; index <= count; index++) {
    benchShardCases({ index, count }, versions, cases).forEach((mine, v) => {
      for (const c of mine) {
        assert.equal(holder.get(`${v} ${c}`), undefined, `${v} ${c} dealt twice`);
        holder.set(`${v} ${c}`, index);
      }
    });
  }
  return holder;
}

Deno.test("bench shards: together the N shards measure every cell of the grid once", () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `case-${i}`);
  for (const [count, versions, cases] of [[3, 3, 1], [3, 4, 2], [2, 5, 7], [4, 1, 4], [5, 2, 1]]) {
    const holder = dealt(count, versions, names(cases));
    assert.equal(holder.size, versions * cases, `${count} shards of ${versions} x ${cases}`);
  }
  // Without a shard, everything.
  assert.deepEqual(benchShardCases(undefined, 2, ["a", "b"]), [["a", "b"], ["a", "b"]]);
});

Deno.test("bench shards: with at least N cases, every version of a case is one shard's", () => {
  const holder = dealt(3, 4, ["a", "b", "c", "d", "e"]);
  for (const c of ["a", "b", "c", "d", "e"]) {
    const shards = new Set([0, 1, 2, 3].map((v) => holder.get(`${v} ${c}`)));
    assert.equal(shards.size, 1, `${c} on one shard`);
  }
  // With fewer cases than shards, the cells spread so that no shard idles.
  const spread = dealt(3, 3, ["a"]);
  assert.deepEqual([...new Set(spread.values())].sort(), [1, 2, 3]);
});

Deno.test("bench shards: --git blocks cover the commits once, in order, sizes within one", () => {
  for (const [count, commits] of [[3, 7], [2, 3], [4, 2], [1, 5]]) {
    const blocks = Array.from(
      { length: count },
      (_, i) => commitBlock({ index: i + 1, count }, commits),
    );
    assert.equal(blocks[0].start, 0);
    assert.equal(blocks.at(-1)!.end, commits);
    for (let i = 1; i < count; i++) assert.equal(blocks[i].start, blocks[i - 1].end);
    const sizes = blocks.map((b) => b.end - b.start);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${sizes}`);
  }
});
