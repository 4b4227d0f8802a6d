import assert from "node:assert/strict";
import { narrowBoundary, nearestMiddle, type Side } from "./boundary_search.ts";

/** A history whose versions from `firstBad` on are bad, except those in `unjudgeable`. */
function history(firstBad: number, unjudgeable: readonly number[] = []) {
  const judged: number[] = [];
  const judge = (i: number): Promise<Side> => {
    judged.push(i);
    return Promise.resolve(unjudgeable.includes(i) ? "skip" : i >= firstBad ? "bad" : "good");
  };
  return { judge, judged };
}

Deno.test("halving finds every boundary in about log2(n) judgements, never judging twice", async () => {
  for (let n = 2; n <= 40; n++) {
    for (let firstBad = 1; firstBad < n; firstBad++) {
      const { judge, judged } = history(firstBad);
      const ends = await narrowBoundary({ lo: 0, hi: n - 1 }, judge, new Set());
      assert.deepEqual(ends, { lo: firstBad - 1, hi: firstBad }, `n=${n} firstBad=${firstBad}`);
      assert.ok(judged.length <= Math.ceil(Math.log2(n - 1)), `n=${n}: ${judged.length} judged`);
      assert.equal(new Set(judged).size, judged.length);
      assert.ok(judged.every((i) => i > 0 && i < n - 1), "the ends are the caller's");
    }
  }
});

Deno.test("skipped versions are stepped around and stay between the ends", async () => {
  // The versions right before the first bad one cannot be judged: the ends keep them between.
  const { judge, judged } = history(6, [4, 5]);
  const skipped = new Set<number>();
  const ends = await narrowBoundary({ lo: 0, hi: 9 }, judge, skipped);
  assert.deepEqual(ends, { lo: 3, hi: 6 });
  assert.deepEqual([...skipped].sort(), [4, 5]);
  assert.equal(new Set(judged).size, judged.length, "a skip is not retried");

  // Versions already known to be unjudgeable are never tried.
  const again = history(6, [4, 5]);
  const known = new Set([4, 5]);
  assert.deepEqual(await narrowBoundary({ lo: 0, hi: 9 }, again.judge, known), ends);
  assert.ok(!again.judged.includes(4) && !again.judged.includes(5));

  // Nothing judgeable between the ends: they stay as they were.
  const none = history(1, [1, 2, 3]);
  assert.deepEqual(await narrowBoundary({ lo: 0, hi: 4 }, none.judge, new Set()), {
    lo: 0,
    hi: 4,
  });
  assert.deepEqual(none.judged, [2, 1, 3]);
});

Deno.test("the next version is the one nearest the middle, the lower on a tie", () => {
  assert.equal(nearestMiddle(0, 8, new Set()), 4);
  assert.equal(nearestMiddle(0, 3, new Set()), 1);
  assert.equal(nearestMiddle(0, 8, new Set([4])), 3);
  assert.equal(nearestMiddle(0, 8, new Set([3, 4])), 5);
  assert.equal(nearestMiddle(2, 3, new Set()), undefined);
  assert.equal(nearestMiddle(0, 2, new Set([1])), undefined);
});
