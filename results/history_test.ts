import assert from "node:assert/strict";
import { fixtureRecords } from "./fixtures/make_fixtures.ts";
import { buildHistory, formatHistory, isEnvironmentStep } from "./history.ts";

const records = Object.values(fixtureRecords());

Deno.test("history lists each version's figures across runs, in version order", () => {
  const history = buildHistory(records);
  assert.deepEqual(history.map((h) => h.benchmark), [
    "core/dup-300",
    "core/load-random",
    "workloads/fork",
  ]);
  const load = history[1];
  assert.deepEqual(load.versions, ["v1", "v2", "head"]);
  assert.equal(load.runs.v1.length, 2);
  assert.ok(load.runs.v1[0].startedAt < load.runs.v1[1].startedAt);
  const dup = history[0];
  assert.equal(dup.runs.head[1].error, "MapleAllocationError: pool ran dry");
  assert.ok(Number.isNaN(dup.runs.head[1].median));
});

Deno.test("the change-point check names the version and the run of each step", () => {
  const [dup, load, fork] = buildHistory(records);
  assert.deepEqual(dup.versionSteps, []);
  assert.deepEqual(load.versionSteps.map((s) => [s.label, s.previous]), [["v2", "v1"]]);
  assert.deepEqual(load.timeSteps, []);
  assert.deepEqual(fork.versionSteps.map((s) => s.label), ["head"]);
  assert.deepEqual(
    fork.timeSteps.map((s) => [s.version, s.label]),
    [["head", "bench-20261126T100000000Z-00000000000b"]],
  );
  assert.ok(fork.timeSteps[0].ratio < 0.55);
});

Deno.test("the text history shows figures, failures and steps", () => {
  const text = formatHistory(buildHistory(records));
  assert.match(text, /^ {2}head +39\.5 µs\/op +failed$/m);
  assert.match(text, /step at version v2 \(after v1\): 99\.\d ns\/op -> 130 ns\/op \(\+30\.\d%/);
  assert.match(text, /step over time on head at run bench-20261126T100000000Z-00000000000b/);
});

Deno.test("a step over time that moves most versions alike is flagged as the machine's", () => {
  const [, , fork] = buildHistory(records);
  assert.equal(fork.timeSteps[0].sharedBy, 1);
  assert.equal(fork.timeSteps[0].measuredIn, 3);
  assert.equal(isEnvironmentStep(fork.timeSteps[0]), false);
  // Make every version of the second run twice as slow: a machine-wide step.
  const slowed = records.map((r) =>
    r.id.endsWith("b")
      ? { ...r, samples: r.samples.map((s) => ({ ...s, values: s.values.map((v) => v * 2) })) }
      : r
  );
  const load = buildHistory(slowed)[1];
  assert.equal(load.timeSteps.length, 3);
  for (const step of load.timeSteps) {
    assert.equal(step.sharedBy, 3);
    assert.equal(isEnvironmentStep(step), true);
  }
  assert.match(formatHistory([load]), /3 of 3 versions moved alike: likely the machine/);
});
