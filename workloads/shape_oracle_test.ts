import assert from "node:assert/strict";
import { loadVersion } from "../core/loader.ts";
import { kernelTestGate } from "../core/kernel/test_support.ts";
import { parseProbeSpec, ProbeSpecError, runProbe } from "./probe.ts";
import type { ProbeSpec } from "./probe_types.ts";
import { CensusTree } from "./fixtures/shape_census.ts";
import { formatShape, ShapeMismatchError, shapeOf, ShapeOracle } from "./shape_oracle.ts";

/** Right answers, 16 ranges per leaf; and the same answers from a tree packing only 12. */
const EVEN = "workloads/fixtures/shape-16";
const TIGHT = "workloads/fixtures/shape-12";

const base: ProbeSpec = {
  version: TIGHT,
  stressor: "mmap",
  layout: "random:vmas=4,gap=1",
  seed: 1,
  ops: 40,
  verify: true,
  shapeOracle: EVEN,
};

Deno.test("a tree that grows differently fails with ShapeMismatchError naming the write and both shapes", async () => {
  const result = await runProbe(base);
  assert.equal(result.outcome, "wrong");
  assert.equal(result.failure?.kind, "ShapeMismatchError");
  assert.match(
    result.failure!.message,
    new RegExp(
      `^shape differs from ${EVEN} after (store|erase) of [0-9a-f]+-[0-9a-f]+ during .+: ` +
        `tree height 2, 3 nodes \\(2 leaves, 1 arange\\), ${EVEN} height 1, 1 node \\(1 leaf\\)$`,
    ),
  );
  // The build of four gapped VMAs fits one leaf of either kind; a later write does not.
  assert.match(result.failure!.operation, /^(mmap|munmap|madvise) /);
  // Without the oracle the same tree passes: its answers are right.
  const { shapeOracle: _, ...plain } = base;
  assert.equal((await runProbe(plain)).outcome, "pass");
});

Deno.test("a tree that grows like its oracle passes, across writes and dups", async () => {
  for (const stressor of ["fork", "mmap", "munmap", "mprotect", "brk"] as const) {
    const result = await runProbe({ ...base, version: EVEN, stressor, layout: "cat-self" });
    assert.equal(result.outcome, "pass", `${stressor}: ${result.failure?.message}`);
  }
});

Deno.test("a dup that rebuilds is followed: the oracle's child is rebuilt from the copy's entries", async () => {
  const { module } = await loadVersion(EVEN);
  const oracle = ShapeOracle.create<number>({ name: EVEN, module });
  const parent = module.createTree<number>({ allocRange: true });
  for (let i = 0; i < 40; i++) {
    parent.store(i * 0x2000, i * 0x2000 + 0xfff, i);
    oracle.follow(i * 0x2000, i * 0x2000 + 0xfff, i, parent, () => "building");
  }
  // Entries left out of the copy (VM_DONTCOPY) are left out of the rebuild too.
  const child = parent.dup((value) => value % 3 === 0 ? undefined : value);
  assert.equal(child.dupReport?.strategy, "store");
  const followed = oracle.afterDup(parent, child, () => "fork");
  assert.ok(followed);
  assert.equal(followed.tree.count(), child.count());
  child.store(0x100000, 0x100fff, 99);
  followed.follow(0x100000, 0x100fff, 99, child, () => "a write in the child");
  // A probe whose forks rebuild their copies passes when the shapes agree.
  const result = await runProbe({ ...base, version: EVEN, stressor: "fork", layout: "glibc" });
  assert.equal(result.outcome, "pass", result.failure?.message);
});

Deno.test("a structural dup is checked against its source, then its child goes unfollowed", async () => {
  const { module } = await loadVersion(EVEN);
  const oracle = ShapeOracle.create<number>({ name: EVEN, module });
  const parent = new CensusTree<number>({ allocRange: true }, 16);
  const structural = {
    strategy: "structural",
    expectedEntries: 40,
    promised: 0,
    taken: 0,
    extra: 0,
  } as const;
  const faithful = new CensusTree<number>({ allocRange: true }, 16, structural);
  const skewed = new CensusTree<number>({ allocRange: true }, 12, structural);
  for (let i = 0; i < 40; i++) {
    for (const tree of [parent, faithful, skewed]) tree.store(i * 0x2000, i * 0x2000 + 0xfff, i);
    oracle.follow(i * 0x2000, i * 0x2000 + 0xfff, i, parent, () => "building");
  }
  assert.equal(oracle.afterDup(parent, faithful, () => "fork"), undefined);
  assert.throws(
    () => oracle.afterDup(parent, skewed, () => "fork of an mm with 40 VMAs"),
    (error: unknown) =>
      error instanceof ShapeMismatchError &&
      error.message ===
        "a structural dup changed the shape during fork of an mm with 40 VMAs: " +
          `source ${formatShape(shapeOf(parent))}, copy ${formatShape(shapeOf(skewed))}`,
  );
});

Deno.test("the spec takes a shape oracle only in checked mode, and an unknown one is a bad spec", async () => {
  assert.throws(
    () => parseProbeSpec({ ...base, shapeOracle: "" }),
    /field "shapeOracle" must be a version name/,
  );
  assert.throws(
    () => parseProbeSpec({ ...base, verify: false, mode: "timed" }),
    /field "shapeOracle" must be absent in timed mode/,
  );
  await assert.rejects(
    () => runProbe({ ...base, shapeOracle: "no-such-version" }),
    (error: unknown) =>
      error instanceof ProbeSpecError &&
      /^shape oracle "no-such-version" cannot be loaded/.test(error.message),
  );
});

const kernel = kernelTestGate("kernel-6.1");

Deno.test({
  name:
    "against the kernel's own tree: v1.5.0's build and fork grow like kernel-6.1, v1.3.0's writes do not",
  ignore: kernel.skip,
  fn: async () => {
    kernel.require();
    await loadVersion("kernel-6.1");
    const probe: ProbeSpec = {
      version: "v1.5.0",
      stressor: "fork",
      layout: "random:vmas=150,gap=0.7",
      seed: 1,
      ops: 20,
      verify: true,
      shapeOracle: "kernel-6.1",
    };
    const good = await runProbe(probe);
    assert.equal(good.outcome, "pass", good.failure?.message);
    const bad = await runProbe({ ...probe, version: "v1.3.0", stressor: "mmap" });
    assert.equal(bad.outcome, "wrong");
    assert.equal(bad.failure?.kind, "ShapeMismatchError");
    assert.equal(
      bad.failure!.message,
      "shape differs from kernel-6.1 after store of 7fffbfff0000-7fffbfffafff during madvise " +
        "7fffbfff1000+0x1000 in an mm with 152 VMAs: tree height 3, 21 nodes (18 leaves, " +
        "3 aranges), kernel-6.1 height 3, 20 nodes (17 leaves, 3 aranges)",
    );
  },
});
