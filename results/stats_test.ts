import assert from "node:assert/strict";
import { mannWhitneyU, mean, median, normalUpperTail, quantile, stddev } from "./stats.ts";

Deno.test("summaries of small samples", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.equal(mean([1, 2, 3, 6]), 3);
  assert.equal(stddev([7]), 0);
  assert.ok(Math.abs(stddev([2, 4, 4, 4, 5, 5, 7, 9]) - 2.13809) < 1e-4);
  assert.equal(quantile([10, 20, 30, 40, 50], 0.75), 40);
  assert.equal(quantile([1, 2], 0.5), 1.5);
});

Deno.test("the normal tail matches known quantiles", () => {
  assert.ok(Math.abs(normalUpperTail(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalUpperTail(1.959964) - 0.025) < 1e-6);
  assert.ok(Math.abs(normalUpperTail(-1.644854) - 0.95) < 1e-6);
});

Deno.test("Mann-Whitney U matches the textbook figures", () => {
  // Fully separated samples of five: U = 0, z = (12.5 - 0.5) / sqrt(25 * 11 / 12).
  const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(r.u, 0);
  assert.ok(Math.abs(r.p - 0.01219) < 2e-4, `p = ${r.p}`);
  assert.ok(r.z < 0);
  // Swapping the sides mirrors U and keeps p.
  const s = mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]);
  assert.equal(s.u, 25);
  assert.equal(s.p, r.p);
});

Deno.test("Mann-Whitney U handles ties and sees no difference in equal samples", () => {
  const same = mannWhitneyU([1, 2, 2, 3], [1, 2, 2, 3]);
  assert.equal(same.u, 8);
  assert.equal(same.p, 1);
  const allTied = mannWhitneyU([4, 4, 4], [4, 4, 4]);
  assert.equal(allTied.p, 1);
  const tiny = mannWhitneyU([1], [100, 200]);
  assert.equal(tiny.p, 1);
  const shifted = mannWhitneyU([1, 1, 2, 2, 3, 3, 3, 4], [5, 5, 6, 6, 7, 7, 7, 8]);
  assert.ok(shifted.p < 0.01);
});
