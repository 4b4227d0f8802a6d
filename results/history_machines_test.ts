import assert from "node:assert/strict";
import { buildHistory, formatHistory } from "./history.ts";
import { buildRecord, collectEnvironment, type SampleSet, type SuiteRecord } from "./record.ts";

const base = [100, 101, 99, 102, 98, 100, 103, 97];

/** One record of `version` on a CPU named `cpu`, its figures `k` times the base. */
function run(version: string, cpu: string, k: number, day: number): SuiteRecord {
  const environment = collectEnvironment();
  const set: SampleSet = {
    benchmark: "core/a",
    version,
    unit: "ns/op",
    better: "lower",
    values: base.map((v) => v * k),
  };
  return buildRecord({
    kind: "bench",
    startedAt: new Date(Date.UTC(2026, 0, day)),
    // Every record names the whole history, so the versions keep their order.
    versions: ["v1", "v2", "v3", "v4"].map((name) => ({ name, hash: null })),
    parameters: {},
    seeds: [],
    samples: [set],
    verdicts: [],
    body: { harness: "mitata@1.0.34", quick: true, cases: [] },
    environment: { ...environment, machine: { ...environment.machine, cpuModel: cpu, cores: 2 } },
  });
}

Deno.test("history: no step between versions that different machines measured", () => {
  // v1, v2 on one machine; v3, v4 on a slower one, where v4 is slower still.
  const records = [
    run("v1", "fast", 1, 1),
    run("v2", "fast", 1, 2),
    run("v3", "slow", 2, 3),
    run("v4", "slow", 3, 4),
  ];
  const [history] = buildHistory(records);
  assert.deepEqual(history.versionSteps.map((s) => [s.previous, s.label]), [["v3", "v4"]]);
  assert.deepEqual(history.machineBreaks, [
    { label: "v3", previous: "v2", before: "fast x2", after: "slow x2" },
  ]);
  assert.equal(history.runs.v1[0].machine, "fast x2");
  const text = formatHistory([history]);
  assert.match(text, /^ {2}step at version v4 \(after v3\)/m);
  assert.match(
    text,
    /^ {2}no step looked for between v2 and v3: measured on different machines \(fast x2; slow x2\)$/m,
  );
  assert.doesNotMatch(text, /step at version v3/);

  // One machine: the steps as ever, and no break.
  const [same] = buildHistory([run("v1", "fast", 1, 1), run("v2", "fast", 2, 2)]);
  assert.deepEqual(same.versionSteps.map((s) => s.label), ["v2"]);
  assert.equal(same.machineBreaks, undefined);
});
