/**
 * The kernel's own tree through the shim: the kernel's node figures (as head's golden tests
 * check them for the TypeScript tree), budgets, validation, dump, and the build's handling of
 * a tree that does not compile. Needs a kernel tree (see `test_support.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MapleAllocationError, type MapleModule } from "../contract.ts";
import { loadVersion } from "../loader.ts";
import { buildKernel } from "./build.ts";
import { kernelTestGate } from "./test_support.ts";

const gate = kernelTestGate("kernel-6.1");

async function kernel61(): Promise<MapleModule> {
  gate.require();
  return (await loadVersion("kernel-6.1")).module;
}

Deno.test({
  name: "kernel-6.1: 1,001 gapped in-order ranges give height 4 and 143 nodes",
  ignore: gate.skip,
  async fn() {
    const tree = (await kernel61()).createTree<number>({ allocRange: true });
    for (let i = 0; i <= 1000; i++) tree.store(10 * i, 10 * i + 5, i + 1);
    tree.validate();
    assert.equal(tree.height(), 4);
    assert.deepEqual(tree.nodeCounts(), { leaves: 126, ranges: 0, aranges: 17, total: 143 });
    assert.equal(tree.allocatorStats().live, 143);
    assert.equal(tree.count(), 1001);
  },
});

Deno.test({
  name: "kernel-6.1: expectedEntries(1000) asks for 164 nodes and destroy gives them back",
  ignore: gate.skip,
  async fn() {
    const tree = (await kernel61()).createTree<number>({ allocRange: true });
    const cursor = tree.cursor();
    cursor.expectedEntries(1000);
    assert.equal(cursor.pooled, 164);
    assert.equal(tree.allocatorStats().live, 164);
    cursor.destroy();
    assert.equal(tree.allocatorStats().live, 0);
  },
});

Deno.test({
  name: "kernel-6.1: a bulk dup keeps its promise and copies every entry",
  ignore: gate.skip,
  async fn() {
    const tree = (await kernel61()).createTree<string>({ allocRange: true });
    for (let i = 0; i < 300; i++) tree.store(16 * i, 16 * i + 9, `v${i}`);
    const copy = tree.dup((v) => v === "v7" ? undefined : `${v}'`);
    copy.validate();
    assert.equal(copy.count(), 299);
    assert.equal(copy.load(16 * 8), "v8'");
    assert.equal(copy.load(16 * 7), undefined);
    const report = copy.dupReport!;
    assert.equal(report.strategy, "bulk");
    assert.equal(report.extra, 0);
    assert.ok(copy.nodeCounts().total <= report.promised);
  },
});

Deno.test({
  name: "kernel-6.1: a node budget turns into MapleAllocationError and the tree stays whole",
  ignore: gate.skip,
  async fn() {
    const tree = (await kernel61()).createTree<number>({ allocRange: true, nodeBudget: 3 });
    assert.throws(() => {
      for (let i = 0; i < 1000; i++) tree.store(10 * i, 10 * i + 5, i + 1);
    }, MapleAllocationError);
    tree.validate();
    const stored = tree.count();
    assert.ok(stored > 0 && stored < 1000);
    for (const entry of tree.entries()) assert.equal(entry.first % 10, 0);
    tree.setNodeBudget(null);
    tree.store(1_000_000, 1_000_005, 7);
    assert.equal(tree.load(1_000_003), 7);
  },
});

Deno.test({
  name: "kernel-6.1: answers at the top key, bad keys, dump and the cursor",
  ignore: gate.skip,
  async fn() {
    const tree = (await kernel61()).createTree<string>();
    tree.store(100, Number.MAX_SAFE_INTEGER, "top");
    assert.deepEqual(tree.walk(2 ** 52), {
      first: 100,
      last: Number.MAX_SAFE_INTEGER,
      value: "top",
    });
    assert.deepEqual(tree.walk(5), { first: 0, last: 99, value: undefined });
    assert.throws(() => tree.store(5, 4, "x"), RangeError);
    assert.throws(() => tree.load(-1), RangeError);
    assert.match(tree.dump(), /maple_tree\(0x[0-9a-f]+\) flags/);
    const cursor = tree.cursor(10, 19);
    cursor.preallocate("c");
    assert.ok(cursor.pooled > 0);
    assert.equal(cursor.store("c"), undefined);
    assert.equal(cursor.pooled, 0);
    assert.equal(tree.load(15), "c");
    cursor.set(15);
    assert.equal(cursor.walk(), "c");
    assert.deepEqual([cursor.index, cursor.last], [10, 19]);
    assert.equal(cursor.next(Number.MAX_SAFE_INTEGER), "top");
    assert.equal(cursor.index, 100);
  },
});

Deno.test({
  name: "kernel build: a tree that does not compile is a skip with the compiler's first error",
  ignore: gate.skip,
  async fn() {
    gate.require();
    const dir = mkdtempSync(join(tmpdir(), "maple-broken-kernel-"));
    try {
      mkdirSync(join(dir, "lib"));
      symlinkSync(join(gate.tree, "include"), join(dir, "include"));
      symlinkSync(join(gate.tree, "tools"), join(dir, "tools"));
      const source = readFileSync(join(gate.tree, "lib", "maple_tree.c"), "utf8");
      writeFileSync(join(dir, "lib", "maple_tree.c"), `${source}\nint broken = undeclared_here;\n`);
      const build = await buildKernel(dir);
      assert.equal(build.ok, false);
      assert.match(build.error!, /error: .undeclared_here. undeclared/);
      assert.equal(build.release, "unknown", "no Makefile: the release is unknown, not invented");
      const again = await buildKernel(dir);
      assert.equal(again.key, build.key, "a failed build is cached too");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

Deno.test({
  name: "kernel-6.1: a cursor's bulk load stays in bulk mode until destroy",
  ignore: gate.skip,
  async fn() {
    const tree = (await kernel61()).createTree<number>({ allocRange: true });
    const cursor = tree.cursor();
    cursor.expectedEntries(100);
    const promised = tree.allocatorStats().allocations;
    for (let i = 0; i < 100; i++) {
      cursor.setRange(10 * i, 10 * i + 5);
      cursor.store(i + 1);
    }
    assert.equal(tree.allocatorStats().allocations, promised, "every node came from the pool");
    cursor.destroy();
    tree.validate();
    assert.equal(tree.count(), 100);
    assert.equal(tree.allocatorStats().live, tree.nodeCounts().total);
  },
});
