import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { runCommandFile } from "./test_support.ts";

const VERSION = existsSync(new URL("../core/head/mod.ts", import.meta.url))
  ? "head"
  : "testing/reference";
const FIXTURE = "workloads/fuzz/fixtures/gapped-dup";

const stress = (...args: string[]) => runCommandFile("stress.ts", args);

Deno.test("stress prints stress-ng's metrics table and a digest, exit 0", async () => {
  const run = await stress(
    "--stressor",
    "fork",
    "--version",
    VERSION,
    "--seed",
    "7",
    "--ops",
    "500",
  );
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n");
  const row = lines.find((l) => /metrc: \[\d+\] fork /.test(l))!;
  const fields = row.trim().split(/\s+/);
  assert.equal(fields[3], "fork");
  assert.equal(fields[4], "500");
  assert.ok(Number(fields[8]) > 0, "bogo ops/s (real time) where LKP's parser reads it");
  assert.match(run.stdout, /digest [0-9a-f]{16} \(\d+ VMAs\)/);
  assert.match(run.stdout, /successful run completed/);
});

Deno.test("stress --json prints one record; the same seed gives the same digest", async () => {
  const args = [
    "--stressor",
    "mprotect",
    "--version",
    VERSION,
    "--layout",
    "random",
    "--ops",
    "300",
  ];
  const a = JSON.parse((await stress(...args, "--json", "--verify")).stdout);
  const b = JSON.parse((await stress(...args, "--json")).stdout);
  assert.equal(a["bogo-ops"], 300);
  assert.equal(a.outcome, "pass");
  assert.equal(a.digest, b.digest);
  assert.equal(a["ops-digest"], b["ops-digest"]);
});

Deno.test("stress exits 2 with a fail line when the code under test crashes", async () => {
  const run = await stress("--stressor", "fork", "--version", FIXTURE, "--layout", "node-self");
  assert.equal(run.code, 2);
  assert.match(run.stdout, /fail: +\[\d+\] fork: crash: TypeError: Cannot set properties of null/);
  assert.match(run.stdout, /top frame splitLeaf \(bulk\.ts\)/);
  assert.doesNotMatch(run.stdout + run.stderr, /^\s+at /m, "no stack trace");
});

Deno.test("stress refuses bad input in one line with exit 1", async () => {
  const cases: [string[], RegExp][] = [
    [["--stressor", "forx"], /^stress: unknown stressor "forx"/],
    [["--stressor", "fork", "--version", "v0.0.0-none"], /^stress: unknown version/],
    [["--stressor", "fork", "--layout", "nosuch"], /^stress: unknown layout "nosuch"/],
    [["--stressor", "fork", "--ops", "-3"], /^stress: --ops wants an integer >= 0, got "-3"$/m],
    [["--stressor", "fork", "--seed", "-1"], /^stress: --seed wants an integer >= 0, got "-1"$/m],
    [["--stressor", "fork", "--max-map-count", "-2"], /^stress: --max-map-count wants an integer/],
    [["--stressor", "fork", "--ops", "1e3"], /^stress: --ops wants an integer >= 0, got "1e3"$/m],
    [
      ["--stressor", "mmap", "--layout", "random:vmas=-1", "--ops", "10"],
      /^stress: layout "random:vmas=-1": vmas wants an integer from 1 to 1000000, got "-1"$/m,
    ],
    [
      ["--stressor", "mmap", "--layout", "random:foo=1", "--ops", "10"],
      /^stress: layout "random:foo=1": unknown tunable "foo" \(random takes vmas, align, /,
    ],
    [["--stressor", "fork", "--timeout", "soon"], /^stress: --timeout wants a duration like/],
    [["--stressor", "fork", "--set", "nope=1"], /^stress: --set: unknown key "nope"/],
    [["--stressor", "fork", "--layout", "/nonexistent.maps"], /^stress: cannot read layout file/],
    [[], /^stress: --stressor is required/],
  ];
  for (const [args, message] of cases) {
    const run = await stress(...args);
    assert.equal(run.code, 1, args.join(" "));
    assert.equal(run.stderr.trim().split("\n").length, 1, args.join(" "));
    assert.match(run.stderr, message);
  }
  const help = await stress("--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--stressor NAME/);
});
