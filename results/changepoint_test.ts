import assert from "node:assert/strict";
import { detectSteps } from "./changepoint.ts";

/** Deterministic noise of ±3% around `level`. */
function group(label: string, level: number, seed: number, n = 12) {
  let s = seed;
  const values = Array.from({ length: n }, () => {
    s = (s * 48271) % 0x7fffffff;
    return level * (0.97 + 0.06 * (s / 0x7fffffff));
  });
  return { label, values };
}

Deno.test("one step is placed at the version that introduced it", () => {
  const groups = ["v1", "v2", "v3", "v4", "v5", "v6"].map((v, i) =>
    group(v, i < 3 ? 100 : 140, i + 1)
  );
  const steps = detectSteps(groups);
  assert.equal(steps.length, 1);
  assert.equal(steps[0].label, "v4");
  assert.equal(steps[0].previous, "v3");
  assert.ok(Math.abs(steps[0].ratio - 1.4) < 0.05);
});

Deno.test("two steps, up then down, are both found in order", () => {
  const levels = [100, 100, 150, 150, 150, 90, 90];
  const steps = detectSteps(levels.map((l, i) => group(`v${i + 1}`, l, 11 + i)));
  assert.deepEqual(steps.map((s) => s.label), ["v3", "v6"]);
  assert.ok(steps[0].ratio > 1.4 && steps[1].ratio < 0.7);
});

Deno.test("noise and small changes are not steps", () => {
  const flat = [100, 101, 99, 102, 100, 98].map((l, i) => group(`v${i}`, l, 21 + i));
  assert.deepEqual(detectSteps(flat), []);
  const small = [100, 100, 105, 105].map((l, i) => group(`v${i}`, l, 31 + i));
  assert.deepEqual(detectSteps(small), []);
  assert.equal(detectSteps(small, { threshold: 0.02 }).length, 1);
  assert.deepEqual(detectSteps([]), []);
});
