import assert from "node:assert/strict";
import { join } from "node:path";
import { validateRecord } from "../results/validate.ts";
import type { BisectRecord } from "../results/record.ts";
import { type Ran as CommandRan, runCommandFile } from "./test_support.ts";

const FIXTURES = join("bisect", "fixtures", "versions");
// Small limits keep the hanging and allocating fixtures cheap.
const LIMITS = ["--time-limit", "3000", "--memory-limit", "64"];

// A real layout and a generated one, one seed: the throwing fixture fails on one of them.
const TWO_LAYOUTS = ["--layout", "cat-self", "--layout", "random:vmas=8", "--seed", "1"];

interface Ran extends CommandRan {
  records: BisectRecord[];
}

/** Crash-mode arguments over one fixture history, with the small limits. */
function crashArgs(history: string, ...more: string[]): string[] {
  return ["--manifest", join(FIXTURES, history), "--mode", "crash", ...more, ...LIMITS];
}

async function bisect(args: string[]): Promise<Ran> {
  const records = await Deno.makeTempDir({ prefix: "bisect-test-" });
  try {
    const ran = await runCommandFile("bisect.ts", ["--records", records, ...args]);
    const saved: BisectRecord[] = [];
    for await (const entry of Deno.readDir(records)) {
      const record: unknown = JSON.parse(await Deno.readTextFile(join(records, entry.name)));
      const validation = validateRecord(record);
      assert.ok(validation.ok, `record ${entry.name} is invalid: ${JSON.stringify(validation)}`);
      saved.push(record as BisectRecord);
    }
    return { ...ran, records: saved };
  } finally {
    await Deno.remove(records, { recursive: true });
  }
}

Deno.test("bisect: crash history names the first throwing version with evidence", async () => {
  // The bad end hangs; following crashes instead steps over the versions that fail otherwise.
  const ran = await bisect(crashArgs("crash_history.json", ...TWO_LAYOUTS, "--signature", "crash"));
  assert.equal(ran.code, 0, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /loops fails differently: hang/);
  assert.match(ran.stdout, /first bad version: throws \(last good: good-c\) \[confident\]/);
  assert.match(ran.stdout, /Fixture: fork of more than 12 entries throws a TypeError/);
  assert.match(ran.stdout, /TypeError: Cannot read properties of undefined/);
  assert.match(ran.stdout, /at linkNewNode \(bisect\/fixtures\/versions\/throws\/mod\.ts:\d+\)/);
  assert.match(ran.stdout, /fails 5:5 runs on throws/);
  assert.match(
    ran.stdout,
    /reproduce: deno task stress --stressor fork --version \.\/bisect\/fixtures\/versions\/throws --layout cat-self --seed 1 --ops 20 --verify/,
  );
  assert.match(ran.stdout, /probes run: \d+, wall time [\d.]+ s/);
  assert.equal(ran.stderr, "", "quiet when not a terminal");
  const [record] = ran.records;
  assert.equal(record.kind, "bisect");
  const outcomes = new Set(record.body.probes.map((p) => p.outcome));
  assert.ok(outcomes.has("hang"), "the loops endpoint was probed and hung");
  assert.ok(outcomes.has("crash") && outcomes.has("pass"));
  assert.equal(record.verdicts[0].version, "throws");
  assert.equal(record.verdicts[0].lastGood, "good-c");
});

Deno.test("bisect: skipped versions are stepped around and named when at the boundary", async () => {
  const ran = await bisect(crashArgs("skip_history.json", "--layout", "cat-self", "--seed", "1"));
  assert.equal(ran.code, 3, "ambiguous: not confident");
  assert.match(ran.stdout, /first bad version: allocs \(last good: good-b\) \[NOT confident\]/);
  assert.match(ran.stdout, /one of: broken-load, allocs/);
  assert.match(ran.stdout, /evidence: oom/);
  assert.match(ran.stdout, /broken-load skip/);
  assert.doesNotMatch(ran.stdout, /broken-types (good|bad|skip)/, "never needed");
});

Deno.test("bisect: a later fix makes the search walk forward; exhaustive shows the matrix", async () => {
  const walk = await bisect(crashArgs("fixed_history.json", "--layout", "cat-self", "--seed", "1"));
  assert.equal(walk.code, 0, walk.stderr);
  assert.match(walk.stdout, /first bad version: throws/);
  assert.match(walk.stdout, /passes again: the failure was fixed after throws/);

  const table = await bisect(crashArgs("crash_history.json", "--exhaustive", ...TWO_LAYOUTS));
  assert.equal(table.code, 0, table.stderr);
  const rows = table.stdout.split("\n").filter((l) => /^ {2}(good|throws|wrong|loops)/.test(l));
  assert.deepEqual(rows.map((r) => r.trim().split(/\s+/).slice(0, 3)), [
    ["good-a", "..", "0/2"],
    ["good-b", "..", "0/2"],
    ["good-c", "..", "0/2"],
    ["throws", "C.", "1/2"],
    ["wrong", "W.", "1/2"],
    ["loops", "H.", "1/2"],
  ]);
  assert.equal(table.records[0].body.probes.length, 12);
});

Deno.test("bisect: perf mode finds the version slowed by a known factor", async () => {
  const ran = await bisect([
    "--manifest",
    join(FIXTURES, "perf_history.json"),
    "--mode",
    "perf",
    "--perf-layout",
    "glibc",
    "--perf-ops",
    "60",
    "--samples",
    "6",
  ]);
  assert.equal(ran.code, 0, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /first slower version: slow \(last good: good-b\) \[confident\]/);
  assert.match(ran.stdout, /%stddev +%change +%stddev/);
  const change = /\s(-\d+\.\d)%\s/.exec(ran.stdout.split("%stddev     %change")[1] ?? "");
  assert.ok(change && Number(change[1]) <= -40, `a 3x slower tree shows: ${change?.[1]}`);
  const [record] = ran.records;
  const slowSamples = record.samples.find((s) => s.version === "slow");
  assert.ok(slowSamples && slowSamples.values.length >= 6, "raw samples are kept");
  assert.equal(slowSamples.unit, "ops/cpu-s", "figures per CPU second by default");
  // The two plain versions before it were compared and found alike.
  assert.match(ran.stdout, /good-a→good-b [+-]\d/);
  assert.equal(record.verdicts[0].subject, "perf");
});

Deno.test("bisect: bad arguments get one line and exit 2", async (t) => {
  const crash = ["--manifest", join(FIXTURES, "crash_history.json"), "--mode", "crash"];
  const cases: [string, string[], RegExp][] = [
    ["unknown version", [...crash, "--good", "v9"], /unknown version "v9" for --good/],
    ["empty range", [...crash, "--good", "throws", "--bad", "throws"], /empty range/],
    ["good after bad", [...crash, "--good", "loops", "--bad", "good-a"], /comes after --bad/],
    ["unknown workload", [...crash, "--stressor", "teleport"], /unknown workload "teleport"/],
    ["unknown layout", [...crash, "--layout", "moon-base"], /unknown layout "moon-base"/],
    ["unknown flag", [...crash, "--frobnicate"], /frobnicate/],
    ["bad number", [...crash, "--samples", "many"], /--samples wants an integer/],
    [
      "negative threshold",
      [...crash, "--threshold", "-5"],
      /^bisect: --threshold wants a percentage between 0 and 100, got "-5"$/m,
    ],
    [
      "negative samples",
      [...crash, "--samples", "-3"],
      /--samples wants an integer >= 3, got "-3"/,
    ],
    ["negative seed", [...crash, "--seed", "-1"], /--seed wants an integer >= 0, got "-1"/],
    ["negative ops", [...crash, "--ops", "-5"], /--ops wants an integer >= 1, got "-5"/],
    ["negative jobs", [...crash, "--jobs", "-1"], /--jobs wants an integer >= 1, got "-1"/],
    [
      "bad layout tunable",
      [...crash, "--layout", "random:vmas=-1"],
      /layout "random:vmas=-1": vmas wants an integer from 1 to 1000000/,
    ],
    ["bad manifest", ["--manifest", "nowhere.json"], /cannot read manifest nowhere\.json/],
  ];
  for (const [name, args, pattern] of cases) {
    await t.step(name, async () => {
      const ran = await bisect(args);
      assert.equal(ran.code, 2);
      assert.match(ran.stderr, pattern);
      assert.equal(ran.stderr.trim().split("\n").length, 1, ran.stderr);
      assert.equal(ran.records.length, 0);
    });
  }
});
