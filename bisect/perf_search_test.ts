import assert from "node:assert/strict";
import { judge, perfSearch, type PerfSearchOptions } from "./perf_search.ts";
import { fakeSampler } from "./fake_sampler.ts";
import type { ProbeCase, VersionRef } from "./runner.ts";

const NAMES = ["a", "b", "c", "d", "e", "f", "g"];
const VERSIONS: VersionRef[] = NAMES.map((name) => ({ name, folder: `/fixtures/${name}` }));
const PROBE: ProbeCase = { stressor: "mmap", layout: "glibc", seed: 1, ops: 100, verify: false };

/** A fake sampler with the default jitter, some versions possibly broken. */
function sampler(speed: Record<string, number>, broken: string[] = []) {
  return fakeSampler(speed, { broken });
}

const options = (
  run: PerfSearchOptions["run"],
  extra: Partial<PerfSearchOptions> = {},
): PerfSearchOptions => ({
  versions: VERSIONS,
  good: 0,
  bad: 6,
  badGiven: true,
  probe: PROBE,
  run,
  samples: 6,
  ...extra,
});

Deno.test("perf search halves to the first version slower than the good one", async () => {
  const { run, order } = sampler({ a: 100, b: 104, c: 101, d: 102, e: 80, f: 79, g: 81 });
  const verdict = await perfSearch(options(run));
  assert.equal(verdict.kind, "first-slower");
  assert.equal(verdict.firstBad, "e");
  assert.equal(verdict.lastGood, "d");
  assert.equal(verdict.confident, true);
  assert.ok(verdict.step && verdict.step.change < -0.15 && verdict.step.change > -0.25);
  assert.deepEqual(order.slice(0, 4), ["a", "g", "a", "g"], "runs are interleaved A B A B");
});

Deno.test("perf search walks forward past a recovered regression", async () => {
  const { run } = sampler({ a: 100, b: 130, c: 131, d: 100, e: 99, f: 135, g: 140 });
  const verdict = await perfSearch(options(run, { badGiven: false }));
  // d is 24% slower than the last good one (c), though no slower than a.
  assert.equal(verdict.kind, "first-slower");
  assert.equal(verdict.firstBad, "d");
  assert.equal(verdict.lastGood, "c");
  assert.ok(verdict.notes.some((n) => n.includes("recovered")));
});

Deno.test("perf search: a slowdown under the threshold is not a regression", async () => {
  const { run } = sampler({ a: 100, b: 100, c: 100, d: 95, e: 95, f: 95, g: 95 });
  const given = await perfSearch(options(run));
  assert.equal(given.kind, "bad-not-slower");
  const scanned = await perfSearch(
    options(sampler({ a: 100, b: 100, c: 100, d: 95, e: 95, f: 95, g: 95 }).run, {
      badGiven: false,
    }),
  );
  assert.equal(scanned.kind, "no-regression");
  assert.ok(scanned.comparisons.every((c) => c.verdict === "not-slower"));
});

Deno.test("perf search steps around a version that cannot be measured", async () => {
  const { run } = sampler({ a: 100, b: 100, c: 100, d: 100, e: 70, f: 70, g: 70 }, ["d"]);
  const verdict = await perfSearch(options(run));
  assert.equal(verdict.firstBad, "e");
  assert.equal(verdict.lastGood, "c");
  assert.equal(verdict.confident, false);
  assert.ok(verdict.notes.some((n) => n.includes("d could not be measured")));
  const broken = await perfSearch(options(sampler({ a: 1 }, ["a"]).run));
  assert.equal(broken.kind, "endpoint-broken");
});

Deno.test("judge needs significance and the threshold both", () => {
  const old = [100, 101, 99, 100, 102, 98];
  assert.equal(
    judge("a", "b", old, old.map((v) => v * 0.8), { threshold: 0.1, alpha: 0.01 }).verdict,
    "slower",
  );
  // Significant but small.
  assert.equal(
    judge("a", "b", old, old.map((v) => v * 0.95), { threshold: 0.1, alpha: 0.01 }).verdict,
    "not-slower",
  );
  // Large but noisy, two samples each: the rank test cannot reach p < 0.01.
  assert.equal(
    judge("a", "b", [100, 50], [40, 45], { threshold: 0.1, alpha: 0.01 }).verdict,
    "not-slower",
  );
  const c = judge("a", "b", old, old.map((v) => v * 0.8), { threshold: 0.1, alpha: 0.01 });
  assert.ok(Math.abs(c.change + 0.2) < 1e-9);
  assert.ok(c.interval.high < 1 && c.p < 0.01);
});

Deno.test("compareVersions takes more samples only when the first batch is borderline", async () => {
  const near = await perfSearch(options(sampler({ a: 100, g: 91 }).run, { good: 0, bad: 6 }));
  assert.equal(
    near.comparisons[0].old.length,
    18,
    "a 9% dip earns more samples, up to three times as many",
  );
  assert.equal(near.comparisons[0].verdict, "not-slower");
  const same = await perfSearch(options(sampler({ a: 100, g: 100 }).run, { good: 0, bad: 6 }));
  assert.equal(same.comparisons[0].old.length, 6, "no hint of a slowdown: no extra samples");
});
