import assert from "node:assert/strict";
import { buildRecord, collectEnvironment, newRecordId, type SuiteRecord } from "./record.ts";
import { validateRecord } from "./validate.ts";

const versions = [{ name: "head", hash: null }] as const;

function sampleRecords(): SuiteRecord[] {
  const startedAt = new Date("2026-11-26T10:00:00Z");
  return [
    buildRecord({
      kind: "bench",
      startedAt,
      versions,
      parameters: { quick: true },
      seeds: [1],
      samples: [{
        benchmark: "core/load-random",
        version: "head",
        unit: "ns/op",
        better: "lower",
        values: [100, 101, 99],
      }],
      verdicts: [],
      body: { harness: "mitata@1.0.34", quick: true, cases: [] },
    }),
    buildRecord({
      kind: "stress",
      startedAt,
      versions,
      parameters: { stressor: "fork" },
      seeds: [7],
      samples: [],
      verdicts: [],
      body: {
        stressor: "fork",
        layout: "glibc",
        seed: 7,
        ops: 100,
        outcome: "pass",
        bogoOps: 100,
        opsPerSecond: 2500,
        digest: "abc",
      },
    }),
    buildRecord({
      kind: "bisect",
      startedAt,
      versions: [{ name: "v1", hash: "sha256:00" }, ...versions],
      parameters: { mode: "crash" },
      seeds: [1, 2],
      samples: [],
      verdicts: [{
        subject: "crash",
        verdict: "first-bad",
        version: "head",
        lastGood: "v1",
        summary: "head crashes on fork",
        evidence: { message: "boom", frames: ["f (a.ts:1)"], seed: 2 },
      }],
      body: {
        mode: "crash",
        probes: [{ version: "v1", stressor: "fork", layout: "glibc", seed: 1, outcome: "pass" }],
      },
    }),
  ];
}

Deno.test("records of every kind built through the types match the schema", () => {
  for (const record of sampleRecords()) {
    const result = validateRecord(JSON.parse(JSON.stringify(record)));
    assert.ok(result.ok, `${record.kind}: ${result.ok ? "" : result.errors.join("; ")}`);
  }
});

Deno.test("the schema rejects a missing field, a wrong kind and a bad body", () => {
  const [bench, stress, bisect] = sampleRecords().map((r) => JSON.parse(JSON.stringify(r)));
  delete bench.environment;
  assert.equal(validateRecord(bench).ok, false);
  stress.kind = "fuzz";
  assert.equal(validateRecord(stress).ok, false);
  bisect.body.probes[0].outcome = "exploded";
  const result = validateRecord(bisect);
  assert.equal(result.ok, false);
  assert.match(result.ok ? "" : result.errors.join(" "), /\/body\/probes\/0\/outcome/);
  assert.equal(validateRecord("not an object").ok, false);
});

Deno.test("a sample value that is not a number is rejected with its path", () => {
  const bench = JSON.parse(JSON.stringify(sampleRecords()[0]));
  bench.samples[0].values[1] = "fast";
  const result = validateRecord(bench);
  assert.equal(result.ok, false);
  assert.match(result.ok ? "" : result.errors[0], /^\/samples\/0\/values\/1: /);
});

Deno.test("record ids are unique and sortable by time", () => {
  const at = new Date("2026-01-02T03:04:05.678Z");
  const ids = new Set(Array.from({ length: 200 }, () => newRecordId("bench", at)));
  assert.equal(ids.size, 200);
  assert.match([...ids][0], /^bench-20260102T030405678Z-[0-9a-f]{12}$/);
  assert.ok(newRecordId("bench", new Date(0)) < newRecordId("bench", at));
});

Deno.test("the environment names this runtime and machine", () => {
  const env = collectEnvironment();
  assert.equal(env.runtime.deno, Deno.version.deno);
  assert.equal(env.runtime.v8, Deno.version.v8);
  assert.ok(env.machine.cores >= 1);
  assert.ok(env.machine.memoryBytes > 0);
  assert.equal(env.machine.arch, Deno.build.arch);
  assert.ok(env.suiteCommit === null || /^[0-9a-f]{40}$/.test(env.suiteCommit));
});
