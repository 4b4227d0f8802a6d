import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { kernelTestGate } from "../core/kernel/test_support.ts";
import type { BenchRecord } from "../results/record.ts";
import { runCommandFile } from "./test_support.ts";

Deno.test("bisect --metric: instructions are refused for TypeScript versions, unknown metrics too", async () => {
  const ts = await runCommandFile("bisect.ts", [
    "--mode",
    "perf",
    "--metric",
    "instructions",
    "--no-record",
  ]);
  assert.equal(ts.code, 2);
  assert.match(
    ts.stderr,
    /^bisect: --metric instructions is for C \(kernel\) versions; v1\.0\.0 is TypeScript/,
  );
  assert.equal(ts.stderr.trim().split("\n").length, 1);
  const odd = await runCommandFile("bisect.ts", ["--metric", "cycles", "--no-record"]);
  assert.equal(odd.code, 2);
  assert.match(odd.stderr, /unknown --metric "cycles" \(want time or instructions\)/);
});

Deno.test("bisect --tags needs --git", async () => {
  const ran = await runCommandFile("bisect.ts", ["--tags", "--no-record"]);
  assert.equal(ran.code, 2);
  assert.match(ran.stderr, /--tags needs --git GOOD\.\.BAD/);
});

Deno.test("bench --metric instructions refuses TypeScript versions in one line", async () => {
  const ran = await runCommandFile("bench.ts", ["--metric", "instructions", "--versions", "head"]);
  assert.equal(ran.code, 2);
  assert.match(ran.stderr, /^bench: head is a TypeScript version: instruction counts are for C/);
});

Deno.test("probe --metric instructions goes with --baseline and refuses TypeScript", async () => {
  const alone = await runCommandFile("probe.ts", ["--metric", "instructions"]);
  assert.equal(alone.code, 128);
  assert.match(alone.stderr, /--metric instructions goes with --baseline V/);
  const ts = await runCommandFile("probe.ts", ["--baseline", "v1.5.0", "--metric", "instructions"]);
  assert.equal(ts.code, 128);
  assert.match(ts.stderr, /v1\.5\.0 is a TypeScript version/);
});

const releasesGate = kernelTestGate("kernel-6.12");

Deno.test({
  name: "bench --metric instructions writes counts per operation kind for each release present",
  ignore: releasesGate.skip,
  async fn() {
    releasesGate.require();
    const out = await Deno.makeTempDir({ prefix: "maple-counts-" });
    try {
      const shared = "../shared/kernel-trees/linux-6.19";
      const versions = ["kernel-6.1", "kernel-6.12", ...(existsSync(shared) ? [shared] : [])];
      const ran = await runCommandFile("bench.ts", [
        "--metric",
        "instructions",
        "--versions",
        versions.join(","),
        "--out",
        out,
      ]);
      assert.equal(ran.code, 0, ran.stderr);
      const [file] = [...Deno.readDirSync(out)].map((e) => join(out, e.name));
      const record = JSON.parse(Deno.readTextFileSync(file)) as BenchRecord;
      for (const version of versions) {
        const kinds = record.samples.filter((s) => s.version === version)
          .map((s) => s.benchmark);
        for (const kind of ["store", "load", "erase", "fork", "area", "total"]) {
          assert.ok(kinds.includes(`instructions/${kind}`), `${version} ${kind}: ${kinds}`);
        }
      }
      assert.ok(record.samples.every((s) => s.unit === "instructions" && s.values[0] > 0));
      assert.equal(record.verdicts[0].verdict, "pass", "the first version's counts repeat");
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
