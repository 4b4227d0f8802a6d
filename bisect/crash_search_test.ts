import assert from "node:assert/strict";
import { crashSearch, type CrashSearchOptions, goodRunsNeeded } from "./crash_search.ts";
import type { ProbeCase, ProbeRun, VersionRef } from "./runner.ts";
import type { Outcome } from "../workloads/probe_types.ts";

const NAMES = ["a", "b", "c", "d", "e", "f", "g", "h"];
const VERSIONS: VersionRef[] = NAMES.map((name) => ({ name, folder: `/fixtures/${name}` }));
const MATRIX: ProbeCase[] = [
  { stressor: "fork", layout: "cat-self", seed: 1, ops: 10, verify: true },
  { stressor: "fork", layout: "gapped", seed: 2, ops: 10, verify: true },
];

/** A fake runner: `outcome(version index, case index, nth call for that version)`. */
function fakeRun(outcome: (version: number, probe: number, call: number) => Outcome) {
  const calls = new Map<number, number>();
  const log: string[] = [];
  const run = (version: VersionRef, probe: ProbeCase): Promise<ProbeRun> => {
    const v = NAMES.indexOf(version.name);
    const p = MATRIX.indexOf(probe);
    const call = (calls.get(v) ?? 0) + 1;
    calls.set(v, call);
    log.push(version.name);
    const result = outcome(v, p, call);
    return Promise.resolve({
      spec: { version: version.name, ...probe },
      outcome: result,
      wallMs: 1,
      ...(result === "pass" ? {} : {
        failure: {
          kind: "TypeError",
          message: `boom in ${version.name}`,
          frames: [],
          atOp: 0,
          operation: "fork",
        },
      }),
      ...(result === "skip" ? { skipReason: "does not type-check" } : {}),
    });
  };
  return { run, log };
}

function options(
  run: CrashSearchOptions["run"],
  extra: Partial<CrashSearchOptions> = {},
): CrashSearchOptions {
  return { versions: VERSIONS, good: 0, bad: 7, badGiven: true, matrix: MATRIX, run, ...extra };
}

Deno.test("crash search halves the range to the first failing version", async () => {
  // Only the second probe fails, from f on: "any probe fails" makes the version bad.
  const { run, log } = fakeRun((v, p) => (v >= 5 && p === 1 ? "crash" : "pass"));
  const verdict = await crashSearch(options(run));
  assert.equal(verdict.kind, "first-bad");
  assert.equal(verdict.firstBad, "f");
  assert.equal(verdict.lastGood, "e");
  assert.equal(verdict.confident, true);
  assert.equal(verdict.failingProbes, 1);
  assert.equal(verdict.evidence?.spec.layout, "gapped");
  assert.deepEqual(verdict.reproductions.map((r) => [r.fails, r.runs]), [[5, 5]]);
  // Endpoints, then at most log2(6) + 1 midpoints: far fewer than all eight versions.
  assert.ok(verdict.steps.length <= 5, verdict.steps.map((s) => s.version).join(" "));
  assert.ok(!log.includes("b"), "b is never needed");
});

Deno.test("crash search names every candidate when a skipped version sits at the boundary", async () => {
  const { run } = fakeRun((v) => (v === 3 ? "skip" : v >= 4 ? "hang" : "pass"));
  const verdict = await crashSearch(options(run));
  assert.equal(verdict.firstBad, "e");
  assert.equal(verdict.lastGood, "c");
  assert.deepEqual(verdict.candidates, ["d", "e"]);
  assert.equal(verdict.confident, false, "d could not be probed, so d or e introduced it");
  assert.ok(verdict.notes.some((n) => n.includes("one of d, e")));
});

Deno.test("crash search: a skip away from the boundary does not blur the answer", async () => {
  const { run } = fakeRun((v) => (v === 3 ? "skip" : v >= 5 ? "oom" : "pass"));
  const verdict = await crashSearch(options(run));
  assert.equal(verdict.firstBad, "f");
  assert.deepEqual(verdict.candidates, []);
  assert.equal(verdict.confident, true);
});

Deno.test("crash search walks forward when the last version passes again", async () => {
  const { run } = fakeRun((v) => (v === 2 || v === 3 ? "crash" : "pass"));
  const verdict = await crashSearch(options(run, { badGiven: false }));
  assert.equal(verdict.kind, "first-bad");
  assert.equal(verdict.firstBad, "c");
  assert.equal(verdict.lastGood, "b");
  assert.ok(verdict.notes.some((n) => n.includes("fixed after c")));
  const given = await crashSearch(options(fakeRun((v) => (v === 2 ? "crash" : "pass")).run));
  assert.equal(given.kind, "no-failure");
});

Deno.test("crash search reports a good endpoint that fails and an endpoint that cannot load", async () => {
  const failsEverywhere = await crashSearch(options(fakeRun(() => "wrong").run));
  assert.equal(failsEverywhere.kind, "good-fails");
  assert.equal(failsEverywhere.firstBad, "a");
  const skipped = await crashSearch(options(fakeRun((v) => (v === 7 ? "skip" : "pass")).run));
  assert.equal(skipped.kind, "endpoint-skipped");
  assert.ok(skipped.notes[0].includes("does not type-check"));
});

Deno.test("intermittent failure: rate measured, last good cleared with enough runs", async () => {
  // e fails on odd calls only (3 of 5 repeats); nothing before e ever fails.
  const { run } = fakeRun((v, p, call) => (v >= 4 && p === 0 && call % 2 === 1 ? "crash" : "pass"));
  const verdict = await crashSearch(options(run));
  assert.equal(verdict.firstBad, "e");
  const [r] = verdict.reproductions;
  assert.equal(r.runs, 5);
  assert.ok(r.fails >= 2 && r.fails < 5, `${r.fails}/${r.runs}`);
  assert.equal(r.goodRuns, goodRunsNeeded(r.fails / r.runs, 0.95, 20));
  assert.equal(r.goodFails, 0);
  assert.equal(verdict.confident, true);
});

Deno.test("intermittent failure too rare to clear the last good version: not confident", async () => {
  const { run } = fakeRun((v, p, call) => (v >= 4 && p === 0 && call === 1 ? "crash" : "pass"));
  const verdict = await crashSearch(options(run, { maxGoodRuns: 4 }));
  assert.equal(verdict.firstBad, "e");
  assert.equal(verdict.confident, false);
  assert.ok(verdict.notes.some((n) => n.startsWith("not confident")));
});

Deno.test("a repeat that fails on the last good version moves the boundary left", async () => {
  // d passes its first two runs of probe 0, then fails from the third on; e fails 3 of 5.
  const { run } = fakeRun((v, p, call) => {
    if (p !== 0) return "pass";
    if (v === 3) return call >= 4 ? "crash" : "pass"; // calls 1-2 are d's matrix
    if (v >= 4) return call % 2 === 1 ? "crash" : "pass";
    return "pass";
  });
  const verdict = await crashSearch(options(run));
  assert.equal(verdict.firstBad, "d");
  assert.equal(verdict.lastGood, "c");
  assert.ok(
    verdict.notes.some((n) => n.includes("d passed the matrix once but failed on a repeat")),
  );
});

Deno.test("goodRunsNeeded follows (1 - rate)^m <= 1 - confidence", () => {
  assert.equal(goodRunsNeeded(1, 0.95, 20), 1);
  assert.equal(goodRunsNeeded(0.5, 0.95, 20), 5); // 0.5^5 = 0.031
  assert.equal(goodRunsNeeded(0.6, 0.95, 20), 4); // 0.4^4 = 0.026, 0.4^3 = 0.064
  assert.equal(goodRunsNeeded(0.01, 0.95, 20), 20);
});

/** A runner where each version fails its own way: `how(version index)` gives outcome and frame. */
function twoBugs(how: (v: number) => { outcome: Outcome; frame?: string }) {
  return (version: VersionRef, probe: ProbeCase): Promise<ProbeRun> => {
    const { outcome, frame } = how(NAMES.indexOf(version.name));
    return Promise.resolve({
      spec: { version: version.name, ...probe },
      outcome,
      wallMs: 1,
      ...(outcome === "pass" ? {} : {
        failure: {
          kind: frame === "validate" ? "MapleInvariantError" : "TypeError",
          message: `${frame ?? outcome} in ${version.name}`,
          frames: frame ? [`${frame} (/cache/git/tree/x/core/head/${frame}.ts:1)`] : [],
          atOp: 0,
          operation: "fork",
        },
      }),
    });
  };
}

Deno.test("the search follows the bad end's failure; another one is stepped around and kept", async () => {
  // b..c fail in validate (bug 1, later fixed); f..h crash in split (bug 2, at the bad end).
  const run = twoBugs((v) =>
    v >= 5
      ? { outcome: "crash", frame: "split" }
      : v === 1 || v === 2
      ? { outcome: "invalid", frame: "validate" }
      : { outcome: "pass" }
  );
  const verdict = await crashSearch(options(run));
  assert.equal(verdict.firstBad, "f");
  assert.equal(verdict.lastGood, "e");
  assert.equal(verdict.confident, true);
  assert.equal(verdict.signature, "crash split (split.ts)");
  assert.equal(verdict.signatureOrigin, "bad-end");
  const differing = verdict.steps.filter((s) => s.status === "different").map((s) => s.version);
  for (const name of differing) assert.ok(name === "b" || name === "c", name);
  assert.deepEqual(
    verdict.otherFailures.map((o) => [o.version, o.signature]),
    differing.map((name) => [name, "invalid validate (validate.ts)"]),
  );
});

Deno.test("a version that fails differently at the boundary leaves the answer open", async () => {
  // d hangs (another bug), e on crash in split: d may hide the split crash, so d or e.
  const run = twoBugs((v) =>
    v >= 4
      ? { outcome: "crash", frame: "split" }
      : v === 3
      ? { outcome: "hang" }
      : { outcome: "pass" }
  );
  const verdict = await crashSearch(options(run));
  assert.equal(verdict.firstBad, "e");
  assert.equal(verdict.lastGood, "c");
  assert.deepEqual(verdict.candidates, ["d", "e"]);
  assert.equal(verdict.confident, false);
  assert.ok(verdict.notes.some((n) => n.includes("d fail(s) differently")), verdict.notes.join());
  assert.deepEqual(verdict.otherFailures.map((o) => o.signature), ["hang"]);
});

Deno.test("--signature follows failures by text; a good end that fails otherwise stays good", async () => {
  // a (the good end) hangs; c on fails in validate; the bad end h crashes in split.
  const run = twoBugs((v) =>
    v === 0
      ? { outcome: "hang" }
      : v >= 7
      ? { outcome: "crash", frame: "split" }
      : v >= 2
      ? { outcome: "invalid", frame: "validate" }
      : { outcome: "pass" }
  );
  const verdict = await crashSearch(
    options(run, { signature: "MapleInvariantError", badGiven: false }),
  );
  assert.equal(verdict.signatureOrigin, "given");
  assert.equal(verdict.firstBad, "c");
  assert.equal(verdict.lastGood, "b");
  assert.ok(
    verdict.notes.some((n) => n.startsWith("the good endpoint a fails differently (hang)")),
  );
  assert.ok(verdict.notes.some((n) => n.startsWith("the last version, h, fails differently")));
  assert.deepEqual(
    verdict.otherFailures.map((o) => `${o.version} ${o.signature}`).sort(),
    ["a hang", "h crash split (split.ts)"],
  );
});
