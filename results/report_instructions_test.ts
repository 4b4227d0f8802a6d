import assert from "node:assert/strict";
import { renderReport } from "./report.ts";
import { buildRecord, type SampleSet } from "./record.ts";
import { INSTRUCTIONS_UNIT } from "./compare.ts";

function bench(samples: SampleSet[]) {
  return buildRecord({
    kind: "bench",
    startedAt: new Date(0),
    versions: [{ name: "kernel-6.1", hash: null }],
    parameters: {},
    seeds: [1],
    samples,
    verdicts: [],
    body: { harness: "valgrind-callgrind", quick: false, cases: [] },
  });
}

Deno.test("report: beside instruction counts it says they are not time", () => {
  const counts = bench([{
    benchmark: "instructions/load",
    version: "kernel-6.1",
    unit: INSTRUCTIONS_UNIT,
    better: "lower",
    values: [1000],
  }]);
  const times = bench([{
    benchmark: "core/load",
    version: "kernel-6.1",
    unit: "ns/op",
    better: "lower",
    values: [100],
  }]);
  assert.match(renderReport({ records: [counts] }), /not time/);
  assert.doesNotMatch(renderReport({ records: [times] }), /not time/);
});
