import assert from "node:assert/strict";
import { loadVersion } from "../core/loader.ts";
import { type BenchCase, KEPT_SAMPLES, measureCases, thin } from "./harness.ts";

Deno.test("thinning keeps the extremes and the shape of the sorted samples", () => {
  assert.deepEqual(thin([5, 1, 4, 2, 3], 3), [1, 3, 5]);
  assert.deepEqual(thin([3, 1, 2], 10), [1, 2, 3]);
  const many = Array.from({ length: 1000 }, (_, i) => 999 - i);
  const kept = thin(many, 48);
  assert.equal(kept.length, 48);
  assert.equal(kept[0], 0);
  assert.equal(kept[47], 999);
});

Deno.test("cases are measured per version, in both units, and a throwing case is recorded", async () => {
  const { module } = await loadVersion("testing/reference");
  const cases: BenchCase[] = [
    {
      name: "t/load",
      group: "core",
      unit: "ns/op",
      better: "lower",
      setup: (m) => {
        const tree = m.createTree<number>();
        tree.store(10, 19, 1);
        return () => tree.load(15);
      },
    },
    {
      name: "t/ops",
      group: "workloads",
      unit: "ops/s",
      better: "higher",
      opsPerCall: 100,
      setup: (m) => () => {
        const tree = m.createTree<number>();
        for (let i = 0; i < 100; i++) tree.store(i * 10, i * 10 + 5, i);
      },
    },
    {
      name: "t/broken",
      group: "core",
      unit: "ns/op",
      better: "lower",
      setup: () => {
        throw new TypeError("no such thing");
      },
    },
  ];
  const sets = await measureCases("testing/reference", module, cases, { quick: true });
  assert.deepEqual(sets.map((s) => [s.benchmark, s.version, s.unit]), [
    ["t/load", "testing/reference", "ns/op"],
    ["t/ops", "testing/reference", "ops/s"],
    ["t/broken", "testing/reference", "ns/op"],
  ]);
  for (const s of sets.slice(0, 2)) {
    assert.ok(s.values.length >= 8 && s.values.length <= KEPT_SAMPLES, `${s.values.length}`);
    assert.ok(s.values.every((v) => v > 0 && Number.isFinite(v)));
    assert.equal(s.error, undefined);
  }
  // 100 stores per call cannot run faster than a single load per call.
  const loadNs = sets[0].values[sets[0].values.length >> 1];
  const opsPerSecond = sets[1].values[sets[1].values.length >> 1];
  assert.ok(opsPerSecond / 100 < 1e9 / loadNs);
  assert.deepEqual(sets[2].values, []);
  assert.equal(sets[2].error, "TypeError: no such thing");
});
