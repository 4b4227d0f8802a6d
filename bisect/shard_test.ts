import assert from "node:assert/strict";
import {
  formatShard,
  ownsCell,
  ownsUnit,
  parseShard,
  planHash,
  resolveShard,
  shardFromEnv,
  shardUnits,
} from "./shard.ts";
import { shardCells } from "./session.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("shard: K/N counts from 1; bad values get one line naming the problem", () => {
  assert.deepEqual(parseShard("3/3"), { index: 3, count: 3, source: "--shard" });
  assert.deepEqual(parseShard(" 1/1 "), { index: 1, count: 1, source: "--shard" });
  const refused: [string, RegExp][] = [
    ["0/3", /^--shard 0\/3: shards count from 1, so K is 1 to 3$/],
    ["4/3", /^--shard 4\/3: K is more than N \(4 > 3\)$/],
    ["x/y", /^--shard wants K\/N, two whole numbers like 2\/3, got "x\/y"$/],
    ["1/0", /N must be at least 1/],
    ["2", /wants K\/N/],
    ["-1/3", /wants K\/N/],
    ["1/3/5", /wants K\/N/],
    ["1.5/3", /wants K\/N/],
  ];
  for (const [text, message] of refused) {
    assert.throws(() => parseShard(text), (e: Error) => {
      assert.equal(e.name, "UsageError");
      assert.match(e.message, message);
      assert.ok(!e.message.includes("\n"), "one line");
      return true;
    });
  }
});

Deno.test("shard: the engines' variables, each shifted to count from 1", () => {
  assert.equal(shardFromEnv(envOf({})), undefined);
  // GitLab sets CI_NODE_TOTAL=1 in every job: without CI_NODE_INDEX there is no shard.
  assert.equal(shardFromEnv(envOf({ CI_NODE_TOTAL: "1" })), undefined);
  assert.deepEqual(shardFromEnv(envOf({ MAPLE_SHARD: "2/5" })), {
    index: 2,
    count: 5,
    source: "MAPLE_SHARD",
  });
  assert.deepEqual(shardFromEnv(envOf({ CI_NODE_INDEX: "3", CI_NODE_TOTAL: "3" })), {
    index: 3,
    count: 3,
    source: "CI_NODE_INDEX/CI_NODE_TOTAL",
  });
  const buildkite = { BUILDKITE_PARALLEL_JOB: "2", BUILDKITE_PARALLEL_JOB_COUNT: "3" };
  assert.equal(formatShard(shardFromEnv(envOf(buildkite))!), "3/3");
  const k8s = { JOB_COMPLETION_INDEX: "0", MAPLE_SHARD_COUNT: "4" };
  assert.equal(formatShard(shardFromEnv(envOf(k8s))!), "1/4");
  // Two sources that agree are one shard.
  const both = shardFromEnv(envOf({ ...k8s, MAPLE_SHARD: "1/4" }));
  assert.equal(both?.source, "MAPLE_SHARD and JOB_COMPLETION_INDEX/MAPLE_SHARD_COUNT");
});

Deno.test("shard: malformed, half-set or disagreeing variables are refused in one line", () => {
  const refused: [Record<string, string>, RegExp][] = [
    [{ MAPLE_SHARD: "0/3" }, /^MAPLE_SHARD 0\/3: shards count from 1/],
    [{ CI_NODE_INDEX: "2" }, /^CI_NODE_INDEX=2 is set but CI_NODE_TOTAL is not/],
    [
      { JOB_COMPLETION_INDEX: "1" },
      /JOB_COMPLETION_INDEX=1 is set but MAPLE_SHARD_COUNT is not \(set it to the Indexed Job's completions\)/,
    ],
    [{ MAPLE_SHARD_COUNT: "3" }, /MAPLE_SHARD_COUNT=3 is set without JOB_COMPLETION_INDEX/],
    [
      { BUILDKITE_PARALLEL_JOB: "3", BUILDKITE_PARALLEL_JOB_COUNT: "3" },
      /BUILDKITE_PARALLEL_JOB counts from 0, so it is 0 to 2/,
    ],
    [{ CI_NODE_INDEX: "two", CI_NODE_TOTAL: "3" }, /both must be whole numbers/],
    [{ CI_NODE_INDEX: "4", CI_NODE_TOTAL: "3" }, /K is more than N/],
    [
      { MAPLE_SHARD: "1/3", CI_NODE_INDEX: "2", CI_NODE_TOTAL: "3" },
      /^MAPLE_SHARD says shard 1\/3 but CI_NODE_INDEX\/CI_NODE_TOTAL says 2\/3: unset one, or pass --shard K\/N$/,
    ],
  ];
  for (const [vars, message] of refused) {
    assert.throws(() => shardFromEnv(envOf(vars)), (e: Error) => {
      assert.match(e.message, message, JSON.stringify(vars));
      assert.ok(!e.message.includes("\n"));
      return e.name === "UsageError";
    });
  }
  // --shard wins over whatever the environment says, even a conflict.
  const conflict = envOf({ MAPLE_SHARD: "1/3", CI_NODE_INDEX: "2", CI_NODE_TOTAL: "3" });
  assert.equal(formatShard(resolveShard("1/1", conflict)!), "1/1");
});

Deno.test("shard: the N shards together take every unit exactly once", () => {
  const units = Array.from({ length: 17 }, (_, i) => `u${i}`);
  for (const count of [1, 2, 3, 5, 17, 20]) {
    const taken = Array.from(
      { length: count },
      (_, k) => shardUnits(units, { index: k + 1, count }),
    );
    assert.deepEqual(taken.flat().sort(), [...units].sort(), `N=${count}`);
    const sizes = taken.map((t) => t.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes}`);
  }
  assert.ok(ownsUnit({ index: 1, count: 3 }, 0) && ownsUnit({ index: 1, count: 3 }, 3));
});

Deno.test("shard: grid cells are dealt along diagonals, each shard a share of every row and column", () => {
  // A matrix of 7 versions × 16 probes: 4 divides 16, which round-robin over the
  // flat list would turn into "shard 1 runs probes 1, 5, 9, 13 of every version".
  for (const [rows, columns] of [[7, 16], [6, 2], [3, 1], [1, 5]]) {
    for (const count of [1, 2, 3, 4, 8]) {
      const seen = new Map<string, number>();
      const perShard: number[] = [];
      for (let k = 1; k <= count; k++) {
        const shard = { index: k, count };
        let owned = 0;
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < columns; c++) {
            if (!ownsCell(shard, r, c)) continue;
            assert.equal(seen.get(`${r},${c}`), undefined, "no cell twice");
            seen.set(`${r},${c}`, k);
            owned++;
          }
        }
        assert.equal(owned, shardCells(rows, columns, shard));
        perShard.push(owned);
      }
      assert.equal(seen.size, rows * columns, `every cell once (${rows}×${columns}, N=${count})`);
      const spread = Math.max(...perShard) - Math.min(...perShard);
      assert.ok(
        spread <= Math.min(rows, columns),
        `balanced ${rows}×${columns}/${count}: ${perShard}`,
      );
      if (columns >= count && rows >= count) {
        // Each shard gets part of every version and of every probe.
        for (let k = 1; k <= count; k++) {
          for (let r = 0; r < rows; r++) {
            assert.ok([...seen].some(([cell, s]) => s === k && cell.startsWith(`${r},`)));
          }
        }
      }
    }
  }
  assert.deepEqual([1, 2, 3].map((k) => shardCells(7, 16, { index: k, count: 3 })), [38, 37, 37]);
});

Deno.test("shard: the plan hash ignores key order and sees any difference", () => {
  const a = { versions: [{ name: "v1", hash: "sha256:aa" }], flags: { seed: 1, mode: "x" } };
  const b = { flags: { mode: "x", seed: 1 }, versions: [{ hash: "sha256:aa", name: "v1" }] };
  assert.equal(planHash(a), planHash(b));
  assert.notEqual(planHash(a), planHash({ ...a, flags: { seed: 2, mode: "x" } }));
  assert.match(planHash(a), /^sha256:[0-9a-f]{64}$/);
});
