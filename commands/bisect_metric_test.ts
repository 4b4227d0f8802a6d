import assert from "node:assert/strict";
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
