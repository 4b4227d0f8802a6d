/**
 * Every stressor under `--verify` (validate() and the differential check after every
 * operation, node accounting after every dup, leak check after every exit) against the head:
 * 10,000 bogo ops on the glibc layout and a shorter run on every other layout kind.
 *
 * Four stressors are sized down so that 10,000 verified bogo ops stay affordable (the test
 * files together must run in about a minute); the bogo op keeps its definition, only the
 * region or the number of children shrinks:
 * - mmapfork: 2 children per round instead of 32 (10,000 rounds = 20,000 verified dups);
 * - forkheavy: 1,024 resource rounds (~280 extra VMAs) instead of 16,384 (~4,300);
 * - mmap: a 4-page cycle (22 operations per bogo op) instead of our default 16 (82);
 * - mremap: an 8-page region (3 halvings and 3 doublings) instead of our default 256.
 */
import assert from "node:assert/strict";
import { resolveLayout } from "../layouts/mod.ts";
import { STRESSOR_NAMES } from "../probe_types.ts";
import { runStress, type StressRun } from "../runner.ts";
import type { StressorOptions } from "./types.ts";
import { loadTestModule, TEST_VERSION } from "../test_version.ts";

const module = await loadTestModule();
const SIZES: Partial<StressorOptions> = {
  mmapforkChildren: 2,
  forkheavyAllocs: 1024,
  mmapPages: 4,
  mremapPages: 8,
};

function describeFailure(run: StressRun): string {
  if (!run.failure) return "";
  const error = run.failure.error as Error;
  return `${error.name}: ${error.message} at op ${run.failure.atOp} during ${run.failure.operation}`;
}

for (const stressor of STRESSOR_NAMES) {
  Deno.test(`${stressor} passes --verify for 10,000 ops on glibc against ${TEST_VERSION}`, () => {
    const run = runStress({
      module,
      stressor,
      layout: resolveLayout("glibc", 7).vmas,
      seed: 7,
      ops: 10_000,
      checkMode: "every-op",
      options: SIZES,
    });
    assert.equal(run.failure, undefined, describeFailure(run));
    assert.ok(run.bogoOps >= 10_000, `${run.bogoOps} ops`);
    assert.ok(!run.starved);
  });
}

const OTHER_LAYOUTS = [
  "many-libs",
  "fragmented:pages=3000",
  "random:vmas=300,gap=0.4",
  "random:vmas=300,gap=0.9,align=16,dontcopy=0.1",
  "node-self",
  "stress-ng-main",
];

Deno.test(`every stressor passes --verify on every other layout kind against ${TEST_VERSION}`, () => {
  for (const layoutName of OTHER_LAYOUTS) {
    const layout = resolveLayout(layoutName, 5).vmas;
    for (const stressor of STRESSOR_NAMES) {
      const expensive = stressor === "mmap" || stressor === "mmapfork" || stressor === "forkheavy";
      const run = runStress({
        module,
        stressor,
        layout,
        seed: 5,
        ops: expensive ? 20 : 200,
        checkMode: "every-op",
        options: SIZES,
      });
      assert.equal(run.failure, undefined, `${stressor} on ${layoutName}: ${describeFailure(run)}`);
      assert.equal(run.layoutVmas, layout.length);
    }
  }
});

Deno.test("the same inputs give the same operations and digest; another seed does not", () => {
  for (const stressor of STRESSOR_NAMES) {
    const run = (seed: number) =>
      runStress({
        module,
        stressor,
        layout: resolveLayout("random:vmas=150", seed).vmas,
        seed,
        ops: 60,
        checkMode: "interval",
        checkInterval: 50,
        options: SIZES,
      });
    const a = run(21);
    const b = run(21);
    const c = run(22);
    assert.equal(a.failure, undefined, describeFailure(a));
    assert.equal(a.opsDigest, b.opsDigest, stressor);
    assert.equal(a.digest, b.digest, stressor);
    assert.equal(a.primitiveOps, b.primitiveOps, stressor);
    assert.notEqual(a.digest + a.opsDigest, c.digest + c.opsDigest, stressor);
  }
});

Deno.test("recorded operations replay to the same address space", () => {
  for (const stressor of ["mmap", "mremap", "brk", "munmap", "mprotect"] as const) {
    const layout = resolveLayout("glibc", 9).vmas;
    const first = runStress({
      module,
      stressor,
      layout,
      seed: 9,
      ops: 30,
      checkMode: "interval",
      record: true,
    });
    const replay = runStress({
      module,
      stressor,
      layout,
      seed: 1234,
      ops: 0,
      checkMode: "every-op",
      operations: first.operations,
    });
    assert.equal(replay.failure, undefined, describeFailure(replay));
    assert.equal(replay.digest, first.digest, stressor);
    assert.equal(replay.opsDigest, first.opsDigest, stressor);
  }
});

Deno.test("brk hits vm.max_map_count, gets ENOMEM and resets like stress-ng", () => {
  const run = runStress({
    module,
    stressor: "brk",
    layout: resolveLayout("cat-self", 1).vmas,
    seed: 1,
    ops: 3000,
    checkMode: "every-op",
    maxMapCount: 120,
    record: true,
  });
  assert.equal(run.failure, undefined, describeFailure(run));
  const heapStart = resolveLayout("cat-self", 1).vmas.find((v) => v.name === "[heap]")!.start;
  const resets = run.operations!.filter((op) => op.op === "brk" && op.addr === heapStart);
  assert.ok(resets.length > 0, "the break went back to its start");
  assert.ok(run.finalVmas <= 120);
});
