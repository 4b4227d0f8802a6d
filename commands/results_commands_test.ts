import assert from "node:assert/strict";
import { join } from "node:path";
import { benchCases } from "../bench/cases.ts";
import { loadRecords } from "../results/store.ts";
import { ROOT, runCommandFile } from "./test_support.ts";

const FIXTURE_RUNS = join(ROOT, "results", "fixtures", "runs");

/** Run one command file; returns exit code, stdout and stderr. */
const run = (command: string, args: string[]) => runCommandFile(command, args);

Deno.test("two bench runs append two records that compare, history, report and export read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bench-runs-" });
  try {
    // A case whose setup is small, so the test stays quick on the reference model.
    const name = (benchCases().find((c) => c.name === "core/dup-30") ?? benchCases()[0]).name;
    const args = ["--quick", "--versions", "testing/reference", "--cases", name, "--out", dir];
    const first = await run("bench.ts", args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`testing/reference +${name} +[0-9.]+ `));
    const second = await run("bench.ts", [...args, "--rounds", "2"]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /\[round 2\/2, 1\/1\] testing\/reference/);
    const { records, skipped } = await loadRecords(dir);
    assert.equal(records.length, 2);
    assert.equal(skipped.length, 0);
    for (const { record } of records) {
      assert.equal(record.kind, "bench");
      assert.equal(record.samples.length, 1, "one set per benchmark and version, rounds pooled");
      assert.ok(record.samples[0].values.length >= 8, "raw samples kept");
      assert.equal(record.environment.runtime.deno, Deno.version.deno);
    }
    assert.deepEqual(records.map((r) => r.record.parameters.rounds), [1, 2]);
    assert.ok(records[1].record.samples[0].values.length >= 16, "both rounds' samples");

    const [a, b] = records.map((r) => r.path);
    const compared = await run("compare.ts", [a, b]);
    assert.ok(compared.code === 0 || compared.code === 1, compared.stderr);
    assert.match(compared.stdout, new RegExp(`${name} \\[testing/reference\\]$`, "m"));

    const history = await run("history.ts", ["--dir", dir]);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /testing\/reference +\S+ \S+ +\S+ \S+$/m);

    const html = join(dir, "report.html");
    const report = await run("report.ts", ["--dir", dir, "--out", html]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(await Deno.readTextFile(html), /data-kind="over-time"/);

    const bmf = await run("export.ts", ["--format", "bmf", "--dir", dir]);
    assert.equal(bmf.code, 0, bmf.stderr);
    const parsed = JSON.parse(bmf.stdout);
    assert.ok(parsed[`${name} [testing/reference]`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compare by version names reads the latest records", async () => {
  const out = await run("compare.ts", ["--dir", FIXTURE_RUNS, "v1", "v2"]);
  assert.equal(out.code, 1, "a slowdown exits 1");
  assert.match(out.stdout, /^\+ .* core\/load-random$/m);
  const gab = await run("export.ts", [
    "--format",
    "gab",
    "--dir",
    FIXTURE_RUNS,
    "--better",
    "higher",
  ]);
  assert.equal(gab.code, 0, gab.stderr);
  assert.deepEqual(JSON.parse(gab.stdout).map((e: { name: string }) => e.name), [
    "workloads/fork [v1]",
    "workloads/fork [v2]",
    "workloads/fork [head]",
  ]);
});

Deno.test("bad input gets one line naming the command and exit 2", async () => {
  const cases: [string, string[], RegExp][] = [
    ["bench.ts", ["--versions", "no-such-version"], /unknown version "no-such-version"/],
    [
      "bench.ts",
      ["--cases", "core/nope", "--versions", "testing/reference"],
      /unknown case "core\/nope"/,
    ],
    ["bench.ts", ["--bogus"], /bogus/],
    ["bench.ts", ["--rounds", "0", "--versions", "testing/reference"], /--rounds must be/],
    ["compare.ts", ["only-one"], /exactly two arguments/],
    ["compare.ts", ["--dir", FIXTURE_RUNS, "v1", "v9"], /no record has samples of v9/],
    [
      "compare.ts",
      ["missing-a.json", "missing-b.json"],
      /record file "missing-a.json" does not exist/,
    ],
    ["export.ts", ["--format", "csv"], /--format must be gab or bmf/],
    ["export.ts", ["--format", "gab", "--dir", FIXTURE_RUNS], /mixes lower- and higher/],
    ["history.ts", ["--threshold", "x"], /--threshold wants a percentage >= 0, got "x"/],
    ["history.ts", ["--alpha", "1"], /--alpha wants a number between 0 and 1/],
    ["report.ts", ["--bogus"], /Unknown option '--bogus' \(see --help\)/],
    ["demo.ts", ["--ranges", "0"], /--ranges must be an integer from 1 to 1000000, got "0"/],
    ["demo.ts", ["--version", "no-such-version", "--ranges", "5"], /unknown version/],
    // A negative number is the flag's value, refused by range, not parseArgs' "ambiguous".
    [
      "compare.ts",
      ["--threshold", "-5", "a", "b"],
      /--threshold wants a percentage >= 0, got "-5"/,
    ],
    ["compare.ts", ["--alpha", "-0.5", "a", "b"], /--alpha wants a number between 0 and 1/],
    ["history.ts", ["--alpha", "-.5"], /--alpha wants a number between 0 and 1, got "-.5"/],
    ["demo.ts", ["--ranges", "-3"], /--ranges must be an integer from 1 to 1000000, got "-3"/],
    ["bench.ts", ["--rounds", "-2"], /--rounds must be a whole number from 1 to 20, got "-2"/],
    ["compare.ts", ["--dir", join(ROOT, "README.md"), "v1", "v2"], /not a folder/],
  ];
  for (const [command, args, message] of cases) {
    const out = await run(command, args);
    assert.equal(out.code, 2, `${command} ${args.join(" ")}: ${out.stderr}`);
    const lines = out.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `one line: ${out.stderr}`);
    assert.ok(lines[0].startsWith(`${command.replace(/\.ts$/, "")}: `), lines[0]);
    assert.match(lines[0], message);
  }
});

Deno.test("compare: an internal error exits 3, apart from 1 (worse) and 2 (bad input)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "compare-internal-" });
  try {
    // A folder that cannot be read is no fault of the arguments: a symlink loop.
    const loop = join(dir, "loop");
    await Deno.symlink(loop, loop);
    const out = await run("compare.ts", ["--dir", loop, "v1", "v2"]);
    assert.equal(out.code, 3, out.stderr);
    assert.match(out.stderr, /^compare: internal error: /);
    const help = await run("compare.ts", ["--help"]);
    assert.match(help.stdout, /^ {2}1 {2}something got worse/m);
    assert.match(help.stdout, /^ {2}2 {2}bad input/m);
    assert.match(help.stdout, /^ {2}3 {2}internal error/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--help prints the usage on stdout and exits 0", async () => {
  for (const command of ["bench", "compare", "export", "history", "report", "demo"]) {
    const out = await run(`${command}.ts`, ["--help"]);
    assert.equal(out.code, 0, `${command} --help: ${out.stderr}`);
    assert.match(out.stdout, new RegExp(`^Usage: deno task ${command}`), command);
    assert.equal(out.stderr, "");
  }
});
