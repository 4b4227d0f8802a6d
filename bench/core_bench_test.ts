import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { MapleModule, TreeOptions } from "../core/contract.ts";
import { kernelTestGate } from "../core/kernel/test_support.ts";
import * as head from "../core/head/mod.ts";
import {
  type CoreFigure,
  coreTable,
  DEFAULT_KERNEL,
  FFI_CASE,
  FLOOR,
  loadKernelColumn,
  runCoreBench,
} from "./core_bench.ts";
import { coreCases } from "./core_cases.ts";

const gate = kernelTestGate(DEFAULT_KERNEL);

/**
 * A kernel module whose trees count every FFI call they make. The adapter calls the shim
 * through `tree.shim.symbols` (core/kernel/tree.ts), and children (dup) and cursors take the
 * parent's `shim`, so replacing it on each new tree counts everything after creation. Should
 * the adapter change how it reaches C, this test fails and the counts need a fresh look.
 */
async function countingKernel(): Promise<{ module: MapleModule; calls: () => number }> {
  const { loadVersion } = await import("../core/loader.ts");
  const { loadKernelVersion } = await import("../core/kernel/mod.ts");
  const { openShim } = await import("../core/kernel/ffi.ts");
  const loaded = await loadVersion(DEFAULT_KERNEL);
  const { build } = await loadKernelVersion(loaded.folder);
  const real = openShim(build.library!).symbols as unknown as Record<
    string,
    (...args: unknown[]) => unknown
  >;
  let calls = 0;
  const symbols: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [name, fn] of Object.entries(real)) {
    symbols[name] = (...args: unknown[]) => {
      calls++;
      return fn(...args);
    };
  }
  const module: MapleModule = {
    createTree<T>(options?: TreeOptions) {
      const tree = loaded.module.createTree<T>(options);
      assert.ok("shim" in tree, "a kernel tree reaches C through its shim field");
      Object.defineProperty(tree, "shim", { value: { symbols } });
      return tree;
    },
  };
  return { module, calls: () => calls };
}

Deno.test({
  name: "each case's ffiCalls is the number of FFI calls the kernel adapter makes per call",
  ignore: gate.skip,
  async fn() {
    gate.require();
    const { module, calls } = await countingKernel();
    for (const c of coreCases()) {
      const call = c.setup(module);
      const before = calls();
      const n = c.entriesPerCall > 1 ? 3 : 50;
      for (let i = 0; i < n; i++) call();
      assert.equal((calls() - before) / n, c.ffiCalls, c.name);
    }
  },
});

Deno.test({
  name: "the kernel column is measured beside head, with one FFI crossing first",
  ignore: gate.skip,
  async fn() {
    gate.require();
    const kernel = await loadKernelColumn();
    assert.equal(kernel.crossing(), 0);
    assert.notEqual(kernel.cases[0].setup, coreCases()[0].setup, "a module instance of its own");
    const figures = await runCoreBench("head", head, true, () => {}, /empty-area$/, kernel);
    assert.deepEqual(
      figures.map((f) => `${f.case} ${f.impl}`),
      [
        `${FFI_CASE} ${DEFAULT_KERNEL}`,
        "core/empty-area head",
        `core/empty-area ${DEFAULT_KERNEL}`,
        "core/empty-area sorted-btree",
        "core/empty-area js-sdsl",
      ],
    );
    assert.ok(figures.every((f) => f.p50 > 0 && f.samples > 0));
  },
});

Deno.test("a version that is not a kernel gives no kernel column", async () => {
  await assert.rejects(loadKernelColumn("head"), /not a kernel version/);
});

Deno.test("the closing table: kernel columns, crossings, ratios and the goal", () => {
  const f = (c: string, impl: string, p50: number): CoreFigure => ({
    case: c,
    impl,
    ns: p50,
    p50,
    samples: 9,
  });
  const figures = [
    f(FFI_CASE, "kernel-6.1", 5),
    f("core/load-random", "head", 120),
    f("core/load-random", "kernel-6.1", 100),
    f("core/load-random", "sorted-btree", 240),
    f("core/load-random", "js-sdsl", 600),
    f("core/churn", "head", 400),
    f("core/churn", "kernel-6.1", 200),
    f("core/churn", "sorted-btree", 1000),
    f("core/churn", "js-sdsl", 1500),
    f("core/dup-300", "head", 4),
    f("core/dup-300", "kernel-6.1", 100),
    f("core/dup-300", "sorted-btree", 1.5),
    f("core/dup-300", "js-sdsl", 290),
    f("core/dup-300", FLOOR, 2.4),
  ];
  const lines = coreTable(figures, "head", "kernel-6.1");
  assert.match(lines[0], /\| case +\| head \| kernel-6\.1 \| sorted-btree \| js-sdsl \|/);
  assert.match(lines[0], /best peer ÷ head \| head ÷ kernel \| FFI share \| copy floor \|$/);
  assert.match(lines[2], /^\| load, 100,000 ranges +\| +120 \| +100 \| +240 \| +600 \| +2\.00× \|/);
  assert.match(lines[2], /\| +1\.20× \| +5% \| +\|$/);
  assert.match(lines[3], /churn.*\| +2\.00× \| +3% \|/);
  // dup-300: 3 + 4 + 1 = 8 calls per copy of 300 entries, 5 ns each: 0.13 ns per entry.
  assert.match(
    lines[4],
    /^\| dup, 300 ranges +\| +4\.0 \| +100 \| +1\.5 \| +290 \|.*\| +0% \| +2\.4 \|$/,
  );
  assert.equal(
    lines[5],
    "FFI crossing (kernel-6.1 mb_nop): 5.0 ns; kernel-6.1 minus its crossings: " +
      "load-random 95, churn 195, dup-300 100",
  );
  assert.equal(lines[6], "head ÷ kernel-6.1 within 1.5×: load-random 1.20×; over: churn 2.00×");
  // Every row has as many cells as the header.
  const cells = (line: string) => line.split("|").length;
  assert.ok(lines.slice(0, 5).every((line) => cells(line) === cells(lines[0])));

  const plain = coreTable(figures.filter((x) => x.impl !== "kernel-6.1"), "head");
  assert.equal(plain.length, 5);
  assert.doesNotMatch(plain[0], /kernel|FFI/);
  assert.match(plain[2], /\| +2\.00× \| +\|$/);
});

Deno.test("without a kernel version the bench says why in one line and still runs", async () => {
  const main = fileURLToPath(new URL("./core_bench.ts", import.meta.url));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "--quick", "--only", "empty-area-rev$", "--kernel", "./no-such"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const said = stdout.split("\n").filter((line) => line.includes("column left out"));
  assert.equal(said.length, 1);
  assert.match(said[0], /^\.\/no-such: column left out, it does not load here: /);
  assert.match(stdout, /\| emptyAreaRev, 10,000 ranges \|/);
  assert.doesNotMatch(stdout, /FFI crossing/);
});
