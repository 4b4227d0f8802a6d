import assert from "node:assert/strict";
import { BENCH_SHARDS } from "./bench_merge.ts";
import { mergeShards } from "./merge.ts";
import { type BenchRecord, buildRecord } from "./record.ts";
import { loadRecords, saveRecord } from "./store.ts";

function shard(index: number): BenchRecord {
  return buildRecord({
    kind: "bench",
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)),
    versions: [{ name: "v1", hash: null }, { name: "v2", hash: null }],
    parameters: {},
    seeds: [],
    samples: [{
      benchmark: "core/a",
      version: `v${index}`,
      unit: "ns/op",
      better: "lower",
      values: [100, 101],
    }],
    verdicts: [],
    body: {
      harness: "mitata@1.0.34",
      quick: true,
      cases: [{ name: "core/a", group: "core", unit: "ns/op" }],
      shard: {
        index,
        count: 2,
        plan: `sha256:${"e".repeat(64)}`,
        units: 1,
        planUnits: 2,
        machine: "ci-1 EPYC x2",
      },
    },
  });
}

Deno.test("store: shard records a merged record in the folder holds are left out, and said", async () => {
  const dir = await Deno.makeTempDir({ prefix: "store-shards-" });
  try {
    const shards = [shard(1), shard(2)];
    for (const r of shards) await saveRecord(r, dir);
    const before = await loadRecords(dir, () => {});
    assert.equal(before.records.length, 2, "unmerged shards are records like any other");
    assert.equal(before.covered, undefined);

    const accepted = shards.map((r) => BENCH_SHARDS.accept(r, `${r.id}.json`)!);
    await saveRecord(mergeShards(accepted, BENCH_SHARDS).record, dir);
    // Another run of shard 2, which the merge did not take, still stands.
    const stray = shard(2);
    await saveRecord(stray, dir);
    const after = await loadRecords(dir, () => {});
    const standing = after.records.map((r) => r.record.body.merged ? "merged" : r.record.id);
    assert.deepEqual(standing.sort(), ["merged", stray.id].sort());
    assert.deepEqual(after.covered?.map((r) => r.record.id).sort(), shards.map((r) => r.id).sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
