import assert from "node:assert/strict";
import { bootstrapMedianRatio, mannWhitneyU, median, normalCdf, summarize } from "./stats.ts";

const close = (actual: number, expected: number, tolerance: number) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${actual} is not within ${tolerance} of ${expected}`,
  );

Deno.test("mannWhitneyU exact: complete separation of 5 and 5 gives 2/252 two-sided", () => {
  const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(r.method, "exact");
  assert.equal(r.u, 0);
  close(r.p, 2 / 252, 1e-12);
  close(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], "less").p, 1 / 252, 1e-12);
  assert.equal(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], "greater").p, 1);
});

Deno.test("mannWhitneyU exact matches the textbook example (scipy: U=17, p=0.1111)", () => {
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];
  const r = mannWhitneyU(males, females);
  assert.equal(r.u, 17);
  close(r.p, 0.11111111, 1e-6);
});

Deno.test("mannWhitneyU with ties falls back to the normal approximation", () => {
  // scipy.stats.mannwhitneyu([1,2,2,3,4], [2,3,4,5,5], method="asymptotic") -> U=5, p=0.135099
  const r = mannWhitneyU([1, 2, 2, 3, 4], [2, 3, 4, 5, 5]);
  assert.equal(r.method, "normal");
  assert.equal(r.u, 5);
  close(r.p, 0.135099, 1e-5);
  assert.equal(mannWhitneyU([3, 3, 3], [3, 3, 3]).p, 1);
});

Deno.test("mannWhitneyU: identical distributions are not significant, shifted ones are", () => {
  const a = [10, 12, 11, 13, 9, 10.5, 11.5, 12.5];
  assert.ok(mannWhitneyU(a, a.map((v) => v + 0.01)).p > 0.3);
  assert.ok(mannWhitneyU(a, a.map((v) => v * 0.7), "greater").p < 0.001);
  assert.throws(() => mannWhitneyU([], [1]), RangeError);
});

Deno.test("normalCdf and median", () => {
  close(normalCdf(1.959964), 0.975, 1e-6);
  close(normalCdf(-1), 0.158655, 1e-6);
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

Deno.test("summarize gives mean, stddev and %stddev", () => {
  const s = summarize([90, 100, 110]);
  assert.equal(s.mean, 100);
  assert.equal(s.stddev, 10);
  assert.equal(s.stddevPercent, 10);
  assert.equal(summarize([7]).stddev, 0);
});

Deno.test("bootstrapMedianRatio brackets a known factor and is repeatable", () => {
  const old = [100, 103, 98, 101, 99, 102, 100, 97];
  const slow = old.map((v) => v / 2);
  const r = bootstrapMedianRatio(old, slow);
  close(r.ratio, 0.5, 1e-12);
  assert.ok(r.low <= 0.5 && r.high >= 0.5 && r.high < 0.6, JSON.stringify(r));
  assert.deepEqual(
    bootstrapMedianRatio(old, slow, { seed: 9 }),
    bootstrapMedianRatio(old, slow, { seed: 9 }),
  );
  const same = bootstrapMedianRatio(old, [...old].reverse());
  assert.ok(same.low < 1 && same.high > 1 - 1e-9, JSON.stringify(same));
});
