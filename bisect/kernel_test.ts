/**
 * Kernel versions through the runner and the bisect: a native crash of the July 2022 class
 * named with the kernel's frames, an abort of a kernel check classified as invalid, a native
 * hang as a hang, a tree that does not build as a skip, and the bisect over the kernel
 * manifest. The abort and hang fixtures are the 6.1 tree with one line patched in by the test
 * (into a temporary copy, never committed). Needs a kernel tree (`core/kernel/test_support.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MapleInvariantError } from "../core/contract.ts";
import { CORE_DIR, loadVersion } from "../core/loader.ts";
import { kernelTestGate } from "../core/kernel/test_support.ts";
import { runCommandFile } from "../commands/test_support.ts";
import { patchedKernelVersion } from "../testing/kernel_patch.ts";
import { type ProbeCase, ProbeRunner } from "./runner.ts";

const gate = kernelTestGate("kernel-6.1");
const runner = new ProbeRunner({ limits: { timeMs: 6_000, memoryMb: 128 }, concurrency: 2 });
const GAPPED: ProbeCase = {
  stressor: "fork",
  layout: "random:vmas=16,gap=1",
  seed: 1,
  ops: 20,
  verify: true,
};
const kernel = (name: string) => ({ name, folder: join(CORE_DIR, name) });

const EXPECTED_ENTRIES =
  /int mas_expected_entries\(struct ma_state \*mas, unsigned long nr_entries\)\n\{\n/;

/**
 * A kernel version folder over a temporary copy of the 6.1 tree with `line` inserted at the
 * top of the function whose opening `opening` matches (by default `mas_expected_entries`, the
 * bulk fork path).
 */
function patchedVersion(
  dir: string,
  name: string,
  line: string,
  opening: RegExp = EXPECTED_ENTRIES,
): string {
  return patchedKernelVersion(dir, name, gate.tree, { opening, line });
}

Deno.test({
  name: "kernel runner: the undercount crashes in mas_split with the kernel's frames",
  ignore: gate.skip,
  async fn() {
    gate.require();
    const [bad, good] = await Promise.all([
      runner.run(kernel("kernel-6.1-undercount"), GAPPED),
      runner.run(kernel("kernel-6.1"), GAPPED),
    ]);
    assert.equal(good.outcome, "pass", JSON.stringify(good.failure));
    assert.equal(bad.outcome, "crash", JSON.stringify(bad));
    const failure = bad.failure!;
    assert.equal(failure.kind, "SIGSEGV");
    assert.match(
      failure.message,
      /in mas_split_final_node \(assertion failed at lib\/maple_tree\.c:\d+\)/,
    );
    const names = failure.frames.map((f) => f.split(" ")[0]);
    for (const frame of ["mas_split_final_node", "mas_split", "mas_store", "mb_dup_bulk"]) {
      assert.ok(names.includes(frame), `${frame} in ${failure.frames.join(", ")}`);
    }
    assert.match(failure.frames[0], /^mas_split_final_node \(lib\/maple_tree\.c:\d+\)$/);
  },
});

Deno.test({
  name: "kernel runner: a kernel check that aborts is invalid, a native loop is a hang",
  ignore: gate.skip,
  async fn() {
    gate.require();
    const dir = mkdtempSync(join(tmpdir(), "maple-kernel-fixtures-"));
    try {
      const aborts = patchedVersion(dir, "aborts", "BUG_ON(nr_entries > 3);");
      const loops = patchedVersion(dir, "loops", "while (nr_entries > 3) { barrier(); }");
      const [abort, hang] = await Promise.all([
        runner.run({ name: "aborts", folder: aborts }, GAPPED),
        runner.run({ name: "loops", folder: loops }, GAPPED),
      ]);
      assert.equal(abort.outcome, "invalid", JSON.stringify(abort));
      assert.equal(abort.failure!.kind, "KernelBug");
      assert.match(abort.failure!.message, /nr_entries > 3/);
      assert.ok(abort.failure!.frames.some((f) => f.startsWith("mas_expected_entries")));
      assert.equal(hang.outcome, "hang", JSON.stringify(hang));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

Deno.test({
  name: "kernel runner: a tree that does not build is skipped with the compiler's error",
  ignore: gate.skip,
  async fn() {
    gate.require();
    const dir = mkdtempSync(join(tmpdir(), "maple-kernel-fixtures-"));
    try {
      const broken = patchedVersion(dir, "broken", "int broken = undeclared_here;");
      const run = await runner.run({ name: "broken", folder: broken }, GAPPED);
      assert.equal(run.outcome, "skip");
      assert.equal(run.failure?.kind, "BuildError");
      assert.match(run.skipReason ?? run.failure!.message, /undeclared_here/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

Deno.test({
  name: "kernel bisect: the kernel manifest names kernel-6.1-undercount with its mas_ frames",
  ignore: gate.skip,
  async fn() {
    gate.require();
    const ran = await runCommandFile("bisect.ts", [
      "--manifest",
      join(CORE_DIR, "kernel-manifest.json"),
      "--mode",
      "crash",
      "--no-record",
    ]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(
      ran.stdout,
      /first bad version: kernel-6\.1-undercount \(last good: kernel-6\.1\) \[confident\]/,
    );
    assert.match(ran.stdout, /SIGSEGV: killed by signal SIGSEGV in mas_split_final_node/);
    assert.match(ran.stdout, /at mas_split \(lib\/maple_tree\.c:\d+\)/);
    assert.match(
      ran.stdout,
      /reproduce: deno task stress --stressor fork --version kernel-6\.1-undercount/,
    );
  },
});

Deno.test({
  name: "kernel validate: an MT_BUG_ON in mt_validate is a MapleInvariantError, not an abort",
  ignore: gate.skip,
  async fn() {
    gate.require();
    const dir = mkdtempSync(join(tmpdir(), "maple-kernel-fixtures-"));
    try {
      const strict = patchedVersion(
        dir,
        "strict",
        "MT_BUG_ON(mt, mtree_load(mt, 4242) != NULL);",
        /void mt_validate\(struct maple_tree \*mt\)\n\{\n/,
      );
      const tree = (await loadVersion(strict)).module.createTree<string>({ allocRange: true });
      tree.store(4000, 4100, "a");
      tree.validate();
      tree.store(4242, 4242, "b");
      assert.throws(() => tree.validate(), (error: unknown) => {
        assert.ok(error instanceof MapleInvariantError);
        assert.equal(error.rule, "mt_validate");
        assert.match(error.message, /BUG at mt_validate \(lib\/maple_tree\.c:\d+\)/);
        return true;
      });
      tree.erase(4242);
      tree.validate();
      assert.equal(tree.load(4050), "a", "the tree is still usable after the kernel's BUG");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
