import assert from "node:assert/strict";
import { compareSamples, formatComparison } from "./compare.ts";
import { type BenchRecord, buildRecord, collectEnvironment, type SampleSet } from "./record.ts";
import { recordMachine, sidesFromRecords, sidesFromVersions } from "./select.ts";

const base = [100, 101, 99, 102, 98, 100, 103, 97];

function set(version: string, k: number, machine?: string): SampleSet {
  return {
    benchmark: "core/a",
    version,
    unit: "ns/op",
    better: "lower",
    values: base.map((v) => v * k),
    ...(machine !== undefined ? { machine } : {}),
  };
}

/** A bench record of `v1` and `v2` measured on a CPU of `cpu`, `v2` `k` times slower. */
function record(cpu: string, k: number, day: number): BenchRecord {
  const environment = collectEnvironment();
  return buildRecord({
    kind: "bench",
    startedAt: new Date(Date.UTC(2026, 0, day)),
    versions: [{ name: "v1", hash: null }, { name: "v2", hash: null }],
    parameters: {},
    seeds: [],
    samples: [set("v1", 1), set("v2", k)],
    verdicts: [],
    body: { harness: "mitata@1.0.34", quick: true, cases: [] },
    environment: { ...environment, machine: { ...environment.machine, cpuModel: cpu, cores: 2 } },
  });
}

Deno.test("compare: sets of different machines are never pooled into one comparison", () => {
  // One machine on each side: compared, whatever the set is named.
  const same = compareSamples([set("v1", 1, "m")], [set("v1", 1.5, "m")]);
  assert.deepEqual(same.map((r) => [r.label, r.change]), [["core/a", "worse"]]);

  // No machine in common: one row, nothing computed.
  const apart = compareSamples([set("v1", 1, "a")], [set("v1", 1.5, "b")]);
  assert.deepEqual(apart.map((r) => [r.label, r.change]), [["core/a", "other-machines"]]);
  assert.ok(Number.isNaN(apart[0].ratio) && Number.isNaN(apart[0].p));
  assert.deepEqual(apart[0].machines, { before: ["a"], after: ["b"] });
  assert.ok(apart[0].before && apart[0].after, "each side's own figures are still shown");

  // Both sides on two machines: a row per machine, never one pooled row.
  const both = compareSamples(
    [set("v1", 1, "a"), set("v1", 3, "b")],
    [set("v1", 1.5, "a"), set("v1", 3, "b")],
  );
  assert.deepEqual(both.map((r) => [r.label, r.change]), [
    ["core/a on a", "worse"],
    ["core/a on b", "unchanged"],
  ]);
  // A machine on one side only is said so, apart from the pair compared.
  const partly = compareSamples([set("v1", 1, "a")], [set("v1", 1, "a"), set("v1", 2, "b")]);
  assert.deepEqual(partly.map((r) => [r.label, r.change]), [
    ["core/a on a", "unchanged"],
    ["core/a on b", "only-after"],
  ]);
  // Sets that name no machine compare as before.
  assert.equal(compareSamples([set("v1", 1)], [set("v1", 1.5)])[0].change, "worse");
  assert.doesNotMatch(formatComparison(same), /different machines/);
});

Deno.test("compare: a record's sets name its machine, so records of two machines are not compared", () => {
  const here = record("EPYC 7B13", 1.5, 1);
  const there = record("Xeon 8375C", 1.5, 2);
  assert.equal(recordMachine(here), "EPYC 7B13 x2");
  const apart = sidesFromRecords(here, there);
  assert.deepEqual(apart.before.sets.map((s) => s.machine), ["EPYC 7B13 x2", "EPYC 7B13 x2"]);
  const rows = compareSamples(apart.before.sets, apart.after.sets, { key: apart.key });
  assert.deepEqual(rows.map((r) => r.change), ["other-machines", "other-machines"]);
  const text = formatComparison(rows);
  assert.match(text, /^# from different machines: not compared/m);
  assert.match(text, /2 benchmark\(s\) before on EPYC 7B13 x2, after on Xeon 8375C x2$/m);

  // Two versions of one record: one machine, compared as ever.
  const within = sidesFromVersions("v1", "v2", [here]);
  const changes = compareSamples(within.before.sets, within.after.sets, { key: within.key });
  assert.deepEqual(changes.map((r) => r.change), ["worse"]);
});
