import assert from "node:assert/strict";
import { crashMatrix, DEFAULT_CRASH_GROUPS } from "./matrix.ts";
import { buildSettings } from "./plan.ts";

Deno.test("the default crash matrix is every default group; naming an axis makes one product", () => {
  const all = buildSettings({ mode: "crash" }).crashMatrix;
  assert.deepEqual(all, DEFAULT_CRASH_GROUPS.flatMap((axes) => crashMatrix(axes)));
  assert.deepEqual(
    [...new Set(all.map((p) => p.stressor))],
    ["fork", "clone", "mmap", "munmap", "mprotect", "mremap", "brk", "tree"],
  );
  // A named layout: the fork group's stressor, seeds and ops over it, as before the groups.
  const named = buildSettings({ mode: "crash", layouts: ["cat-self"] }).crashMatrix;
  assert.deepEqual(named, [
    { stressor: "fork", layout: "cat-self", seed: 1, ops: 20, verify: true },
    { stressor: "fork", layout: "cat-self", seed: 2, ops: 20, verify: true },
  ]);
  const unverified = buildSettings({ mode: "crash", noVerify: true }).crashMatrix;
  assert.equal(unverified.length, all.length);
  assert.ok(unverified.every((p) => !p.verify));
});
