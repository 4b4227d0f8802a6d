import assert from "node:assert/strict";
import { buildRecord } from "../results/record.ts";
import { validateRecord } from "../results/validate.ts";
import { crashSearch } from "./crash_search.ts";
import { judge } from "./perf_search.ts";
import { formatProgress, progressLine } from "./progress.ts";
import { recordInput } from "./record.ts";
import { formatReport, reproduceCommand, robotTable } from "./report.ts";
import type { ProbeCase, ProbeRun, VersionRef } from "./runner.ts";
import type { BisectPlan, BisectReport } from "./session.ts";

const VERSIONS = [
  { name: "v1", folder: "/x/v1", summary: "Baseline.", date: "2022-01-01", hash: "aa" },
  { name: "v2", folder: "/x/v2", summary: "Bulk fork.", date: "2022-06-01", hash: "bb" },
  {
    name: "v3",
    folder: "/x/v3",
    summary: "Leaves out the split's working room.",
    date: "2022-07-01",
    hash: "cc",
  },
];
const MATRIX: ProbeCase[] = [{
  stressor: "fork",
  layout: "python3-self",
  seed: 1,
  ops: 20,
  verify: true,
}];
const PLAN: BisectPlan = {
  versions: VERSIONS,
  good: 0,
  bad: 2,
  badGiven: false,
  modes: ["crash", "perf"],
  exhaustive: false,
  crashMatrix: MATRIX,
  perfProbe: { stressor: "mmap", layout: "glibc", seed: 1, ops: 200, verify: false },
};

async function syntheticReport(): Promise<BisectReport> {
  const run = (version: VersionRef, probe: ProbeCase): Promise<ProbeRun> =>
    Promise.resolve({
      spec: { version: version.name, ...probe },
      outcome: version.name === "v3" ? "crash" : "pass",
      wallMs: 12,
      ...(version.name === "v3"
        ? {
          failure: {
            kind: "TypeError",
            message: "Cannot read properties of undefined (reading 'parent')",
            frames: ["mas_split (core/v3/split.ts:88)", "mas_wr_bnode (core/v3/write.ts:40)"],
            atOp: 0,
            operation: "fork in an mm with 105 VMAs",
          },
        }
        : {}),
    });
  const crash = await crashSearch({ ...PLAN, matrix: MATRIX, run });
  const step = judge("v2", "v3", [100, 101, 99, 102, 98], [80, 81, 79, 82, 78], {
    threshold: 0.1,
    alpha: 0.01,
  });
  return {
    plan: PLAN,
    startedAt: new Date(0),
    endedAt: new Date(61_000),
    wallMs: 61_000,
    probesRun: crash.runs.length,
    crash,
    perf: {
      kind: "first-slower",
      firstBad: "v3",
      lastGood: "v2",
      step,
      confident: true,
      comparisons: [step],
      runs: [],
      notes: [],
    },
  };
}

Deno.test("formatReport names the version, its summary, the evidence and the step", async () => {
  const text = formatReport(await syntheticReport());
  assert.match(text, /first bad version: v3 \(last good: v2\) \[confident\]/);
  assert.match(text, /v3 \(2022-07-01\): Leaves out the split's working room\./);
  assert.match(text, /TypeError: Cannot read properties of undefined \(reading 'parent'\)/);
  assert.match(text, /at mas_split \(core\/v3\/split\.ts:88\)/);
  assert.match(
    text,
    /evidence: crash in fork python3-self seed 1, op 0 \(fork in an mm with 105 VMAs\)/,
  );
  assert.match(text, /first slower version: v3 \(last good: v2\)/);
  assert.match(text, /100 ± +2% +-20\.0% +80\.0 ± +2% +maple-bisect\.mmap\.ops_per_cpu_sec/);
  assert.match(text, /probes run: \d+, wall time 61\.0 s/);
});

Deno.test("recordInput builds a valid bisect record with every probe", async () => {
  const report = await syntheticReport();
  const record = buildRecord(recordInput(report));
  const validation = validateRecord(JSON.parse(JSON.stringify(record)));
  assert.ok(validation.ok, JSON.stringify(validation));
  assert.equal(record.body.probes.length, report.crash!.runs.length);
  assert.deepEqual(record.verdicts.map((v) => [v.subject, v.version]), [["crash", "v3"], [
    "perf",
    "v3",
  ]]);
  assert.match(
    String(record.verdicts[0].evidence.reproduce),
    /^deno task stress --stressor fork --version v3/,
  );
  assert.deepEqual(record.versions.map((v) => v.hash), ["aa", "bb", "cc"]);
});

Deno.test("reproduceCommand quotes what the shell would split", () => {
  const spec = {
    version: "my tree",
    stressor: "fork" as const,
    layout: "random:vmas=40,gap=1",
    seed: 2,
    ops: 9,
    verify: false,
  };
  assert.equal(
    reproduceCommand(spec),
    "deno task stress --stressor fork --version 'my tree' --layout random:vmas=40,gap=1 --seed 2 --ops 9",
  );
});

Deno.test("robotTable keeps the robot's column layout", () => {
  const c = judge("old", "new", [10, 10, 10], [5, 5, 5], { threshold: 0.1, alpha: 0.5 });
  const lines = robotTable(c, "m");
  assert.equal(lines[2], "         %stddev     %change         %stddev");
  assert.match(lines[4], /^ +10\.0 ± +0% +-50\.0% +5\.00 ± +0% +m$/);
});

Deno.test("progress: a line on a terminal, nothing otherwise", () => {
  assert.equal(
    formatProgress({ mode: "crash", done: 10, estimate: 40, elapsedMs: 5000 }),
    "[crash] probe 10 of ~40, 5.0 s elapsed, ~15 s left",
  );
  const written: string[] = [];
  const on = progressLine({ enabled: true, write: (t) => written.push(t) });
  on.update({ mode: "perf", done: 1, estimate: 2, elapsedMs: 10 });
  on.done();
  assert.equal(written.length, 2);
  assert.ok(written[0].startsWith("\r\x1b[K[perf] probe 1 of ~2"));
  const off = progressLine({ enabled: false, write: (t) => written.push(t) });
  off.update({ mode: "perf", done: 1, estimate: 2, elapsedMs: 10 });
  off.done();
  assert.equal(written.length, 2);
});
