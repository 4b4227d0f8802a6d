import assert from "node:assert/strict";
import { type BenchRecord, buildRecord, collectEnvironment } from "../results/record.ts";
import { saveRecord } from "../results/store.ts";
import { runCommandFile } from "./test_support.ts";

/** A bench record of `v1` and `v2` measured on a CPU of `cpu`, `v2` `k` times slower. */
function record(cpu: string, k: number, day: number): BenchRecord {
  const environment = collectEnvironment();
  const values = (f: number) => [100, 101, 99, 102, 98, 100, 103, 97].map((v) => v * f);
  const set = (version: string, f: number) => ({
    benchmark: "core/a",
    version,
    unit: "ns/op",
    better: "lower" as const,
    values: values(f),
  });
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

Deno.test("compare: records of two machines are not compared, and do not fail the comparison", async () => {
  const dir = await Deno.makeTempDir({ prefix: "compare-machines-" });
  try {
    const a = await saveRecord(record("EPYC 7B13", 1, 1), dir);
    // Twice as slow, on another machine: no verdict can be drawn from that.
    const b = await saveRecord(record("Xeon 8375C", 2, 2), dir);
    const ran = await runCommandFile("compare.ts", [a, b]);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.match(ran.stdout, /^# .* n\/a +core\/a \[v2\]$/m);
    assert.match(ran.stdout, /^# from different machines: not compared/m);
    assert.match(ran.stdout, /2 benchmark\(s\) before on EPYC 7B13 x2, after on Xeon 8375C x2$/m);

    // By version: the latest record holding both is one machine's, compared as ever.
    const versions = await runCommandFile("compare.ts", ["--dir", dir, "v1", "v2"]);
    assert.equal(versions.code, 1, versions.stderr + versions.stdout);
    assert.match(versions.stdout, /^\+ .* core\/a$/m);
    assert.doesNotMatch(versions.stdout, /different machines/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
