import assert from "node:assert/strict";
import { toBencherMetricFormat, toGithubActionBenchmark } from "./export.ts";
import type { SampleSet } from "./record.ts";

const sets: SampleSet[] = [
  { benchmark: "core/load", version: "v1", unit: "ns/op", better: "lower", values: [90, 100, 110] },
  { benchmark: "workloads/fork", version: "v1", unit: "ops/s", better: "higher", values: [5, 7] },
  { benchmark: "core/dup", version: "v1", unit: "ns/op", better: "lower", values: [], error: "x" },
];

Deno.test("github-action-benchmark entries for one direction, failed sets left out", () => {
  const lower = toGithubActionBenchmark(sets, "lower");
  assert.equal(lower.length, 1);
  assert.deepEqual({ ...lower[0], extra: undefined }, {
    name: "core/load [v1]",
    unit: "ns/op",
    value: 100,
    range: "± 5",
    extra: undefined,
  });
  const higher = toGithubActionBenchmark(sets, "higher");
  assert.deepEqual(higher.map((e) => [e.name, e.value]), [["workloads/fork [v1]", 6]]);
});

Deno.test("Bencher metric format uses latency and throughput measures", () => {
  const bmf = toBencherMetricFormat(sets);
  assert.deepEqual(bmf, {
    "core/load [v1]": { latency: { value: 100, lower_value: 95, upper_value: 105 } },
    "workloads/fork [v1]": { throughput: { value: 6, lower_value: 5.5, upper_value: 6.5 } },
  });
});
