import assert from "node:assert/strict";
import { checkShards, mergeShards, type ShardRecord } from "../../results/merge.ts";
import type { FuzzRun } from "./campaign.ts";
import { shardCaseCount } from "./fuzz.ts";
import { FUZZ_SHARDS } from "./merge.ts";

const PLAN = `sha256:${"f".repeat(64)}`;
const FIRST = 10;
const CASES = 9;

/**
 * Shard `index` of 3 of a campaign of seeds 10..18 where the cases of `failing` fail: the
 * shard runs its seeds in order, in batches of two, and stops after the batch of its first
 * failure, as `fuzz` does.
 */
function shardRun(
  index: number,
  failing: readonly number[],
  extra: Partial<FuzzRun> = {},
): ShardRecord<FuzzRun> {
  const mine = Array.from({ length: CASES }, (_, k) => FIRST + k).filter((_, k) =>
    k % 3 === index - 1
  );
  const seeds: number[] = [];
  for (let i = 0; i < mine.length; i += 2) {
    const batch = mine.slice(i, i + 2);
    seeds.push(...batch);
    if (batch.some((s) => failing.includes(s))) break;
  }
  const failures = seeds.filter((s) => failing.includes(s)).map((seed) => ({
    seed,
    signature: `crash at ${seed}`,
  }));
  const run: FuzzRun = {
    kind: "fuzz",
    id: `fuzz-shard-${index}`,
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: "2026-01-01T00:00:01.000Z",
    version: "v1.2.0",
    stressor: "fork",
    firstSeed: FIRST,
    cases: seeds.length,
    reused: 0,
    seeds,
    failures,
    parameters: { stressor: "fork", firstSeed: FIRST, maxCases: CASES, timeMs: null, shard: "x" },
    shard: {
      index,
      count: 3,
      plan: PLAN,
      units: seeds.length,
      planUnits: CASES,
      machine: "ci-1 EPYC x2",
    },
    ...extra,
  };
  const accepted = FUZZ_SHARDS.accept(JSON.parse(JSON.stringify(run)), `${run.id}.json`);
  assert.ok(accepted);
  return accepted;
}

Deno.test("fuzz merge: the union of the cases, and the first failing case in seed order", () => {
  assert.deepEqual([1, 2, 3].map((index) => shardCaseCount(CASES, { index, count: 3 })), [3, 3, 3]);
  const clean = mergeShards([1, 2, 3].map((k) => shardRun(k, [])), FUZZ_SHARDS).record;
  assert.deepEqual(clean.seeds, Array.from({ length: CASES }, (_, k) => FIRST + k));
  assert.equal(clean.found, undefined);
  assert.equal(clean.parameters.shard, undefined);
  assert.equal(clean.parameters.timeMs, undefined);

  // Seed 11 fails (shard 2, which stops after its first batch, 11 and 14: 17 is never run);
  // seed 15 fails too (shard 3's second batch).
  const found = mergeShards([1, 2, 3].map((k) => shardRun(k, [11, 15])), FUZZ_SHARDS).record;
  assert.equal(found.found?.seed, 11);
  assert.deepEqual(found.failures.map((f) => f.seed), [11, 15]);
  assert.ok(!found.seeds.includes(17), "a case past a shard's failure is not run");
  assert.equal(found.cases, found.seeds.length);
});

Deno.test("fuzz merge: a shard that stopped short without a failure is refused in one line", () => {
  const [one, , three] = [1, 2, 3].map((k) => shardRun(k, []));
  const short = shardRun(2, []);
  const cut = { ...short, record: { ...short.record, seeds: short.record.seeds.slice(0, 2) } };
  assert.throws(() => checkShards([one, cut, three], FUZZ_SHARDS), (e: Error) => {
    assert.equal(e.name, "UsageError");
    assert.match(e.message, /^the case of seed 17 is in no shard \(1 of 9 units missing\)$/);
    return true;
  });
  const interrupted = shardRun(2, [], {
    interrupted: { signal: "SIGTERM", unitsKept: 2, resume: "deno task fuzz … --resume x" },
  });
  assert.throws(
    () => checkShards([one, interrupted, three], FUZZ_SHARDS),
    (e: Error) =>
      /^shard 2\/3 \(fuzz-shard-2\.json\) was interrupted by SIGTERM after 3 cases: resume it \(deno task fuzz … --resume x\) and merge again$/
        .test(e.message),
  );
  assert.throws(
    () => FUZZ_SHARDS.accept({ kind: "fuzz", shard: {}, id: "x" }, "bad.json"),
    (e: Error) => /^bad\.json is not a whole fuzz shard file: shard\.index/.test(e.message),
  );
});
