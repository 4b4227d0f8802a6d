import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runCommandFile } from "./test_support.ts";

const FIXTURE = "workloads/fuzz/fixtures/gapped-dup";
const KEPT_CASE = "bisect/fuzz/fixtures/gapped-dup-fork.case.json";

const task = (command: string, ...args: string[]) => runCommandFile(`${command}.ts`, args);

Deno.test("fuzz finds a failing case, writes it, and shrink and replay take it", async () => {
  const out = mkdtempSync("/tmp/fuzz-cases-");
  const found = await task("fuzz", "--version", FIXTURE, "--time", "30s", "--out", out);
  assert.equal(found.code, 2, found.stderr);
  assert.match(found.stdout, /: crash splitLeaf \(bulk\.ts\)/);
  assert.match(found.stdout, /cases\/s\)/);
  const [file] = readdirSync(out);
  const path = join(out, file);
  const shrunkPath = join(out, "small.json");
  const shrunk = await task("shrink", path, "--out", shrunkPath, "--in-process");
  assert.equal(shrunk.code, 0, shrunk.stderr);
  assert.match(shrunk.stdout, /VMAs \d+ -> \d+, operations \d+ -> \d+, \d+ runs/);
  assert.ok(existsSync(shrunkPath));
  const replay = await task(
    "replay",
    shrunkPath,
    "--version",
    FIXTURE,
    "--version",
    "testing/reference",
  );
  assert.equal(replay.code, 0, replay.stderr);
  const lines = replay.stdout.trim().split("\n");
  assert.match(lines[1], /crash splitLeaf \(bulk\.ts\) +fails the same way/);
  assert.match(lines[2], /^testing\/reference +pass +passes/);
});

Deno.test("shrink starts from a failing stress run too", async () => {
  const out = join(mkdtempSync("/tmp/shrink-"), "stress.json");
  const args = ["--version", FIXTURE, "--stressor", "fork", "--layout", "node-self", "--ops", "5"];
  const run = await task("shrink", ...args, "--out", out, "--in-process");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /VMAs 92 -> \d+/);
});

Deno.test("fuzz, shrink and replay refuse bad input in one line with exit 1", async () => {
  const cases: [string, string[], RegExp][] = [
    ["fuzz", [], /^fuzz: --version is required/],
    ["fuzz", ["--version", "head", "--stressor", "nope"], /^fuzz: unknown stressor "nope"/],
    ["fuzz", ["--version", "no-such"], /^fuzz: unknown version/],
    ["fuzz", ["--version", "head", "--time", "later"], /^fuzz: --time wants a duration like/],
    ["fuzz", ["--version", "head", "--time", "-1"], /^fuzz: --time wants a duration like/],
    ["fuzz", ["--version", "head", "--seed", "-1"], /^fuzz: --seed wants an integer >= 0/],
    ["fuzz", ["--version", "head", "--jobs", "-2"], /^fuzz: --jobs wants an integer >= 1/],
    ["shrink", [], /^shrink: give a case file/],
    ["shrink", ["/nonexistent.json"], /^shrink: cannot read case file/],
    [
      "shrink",
      [KEPT_CASE, "--version", "testing/reference", "--in-process"],
      /passes on testing\/reference/,
    ],
    ["replay", [], /^replay: give exactly one case file/],
    ["replay", [KEPT_CASE, "--all", "--version", "head"], /^replay: give --version or --all/],
    ["replay", [KEPT_CASE, "--version", "no-such"], /^replay: unknown version/],
  ];
  for (const [command, args, message] of cases) {
    const run = await task(command, ...args);
    assert.equal(run.code, 1, `${command} ${args.join(" ")}: ${run.stdout}`);
    assert.equal(run.stderr.trim().split("\n").length, 1, `${command} ${args.join(" ")}`);
    assert.match(run.stderr, message);
  }
});
