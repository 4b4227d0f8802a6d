/**
 * Every kernel tree present, as a version: it builds, its fork path is the one its release
 * uses (and the other one too where the tree has both), the verified fork stressor passes on
 * it, and head agrees with it over seeded operations, every difference a named one that the
 * release may show. The trees are found, not listed: Debian's trees fetched into the cache,
 * `../shared/kernel-trees/*` beside the project, and the folders in `MAPLE_KERNEL_TREES`
 * (colon-separated). A tree that does not build is skipped with one line naming why.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MapleAllocationError } from "../core/contract.ts";
import { loadVersion } from "../core/loader.ts";
import { cacheDir, isKernelTree } from "../core/kernel/config.ts";
import { compareWithKernel, type KnownDifference } from "../core/kernel/differential.ts";
import { kernelTestGate } from "../core/kernel/test_support.ts";
import { buildKernel } from "../core/kernel/build.ts";
import { ProbeRunner, SUITE_ROOT } from "./runner.ts";

const OPS = Number(Deno.env.get("MAPLE_RELEASE_OPS") ?? 20_000);

/** Kernel source trees present on this machine, by folder. */
function kernelTrees(): string[] {
  const roots = [
    join(cacheDir(), "kernel-src"),
    resolve(SUITE_ROOT, "..", "shared", "kernel-trees"),
  ];
  const found = roots.filter((root) => existsSync(root)).flatMap((root) =>
    readdirSync(root).map((name) => join(root, name))
  );
  const extra = (Deno.env.get("MAPLE_KERNEL_TREES") ?? "").split(":").filter((p) => p !== "");
  return [...new Set([...found, ...extra.map((p) => resolve(p))])].filter(isKernelTree).sort();
}

/** `6.12.118` → 612 (major × 100 + minor), for "from 6.5 on" rules. */
function generation(release: string): number {
  const [major, minor] = release.split(".").map(Number);
  return major * 100 + minor;
}

/** Whether `release` may show the known difference `name`. */
function allowed(name: KnownDifference, release: number, dupPath: "bulk" | "copy"): boolean {
  if (name.startsWith("6.1 ")) return release < 605;
  const since = /\((\d+)\.(\d+) on\)$/.exec(name);
  if (since) return release >= Number(since[1]) * 100 + Number(since[2]);
  if (name.startsWith("dup shape")) return dupPath === "bulk";
  return true;
}

const runner = new ProbeRunner({ limits: { timeMs: 30_000, memoryMb: 256 } });
const gate = kernelTestGate("kernel-6.1");
const trees = kernelTrees();

Deno.test({
  name: `kernel releases: every tree present builds and runs (${trees.length} found)`,
  ignore: gate.skip,
  async fn(t) {
    gate.require();
    assert.ok(trees.length > 0, "at least the fetched 6.1 tree");
    const head = (await loadVersion("head")).module;
    for (const tree of trees) {
      const build = await buildKernel(tree);
      if (!build.ok) {
        console.error(`skip: ${tree} (${build.release}) does not build: ${build.error}`);
        continue;
      }
      await t.step(`linux ${build.release} (${tree})`, async () => {
        const release = generation(build.release);
        const loaded = await loadVersion(tree);
        const ownPath = build.features.mtDup ? "copy" : "bulk";
        assert.match(loaded.description ?? "", ownPath === "copy" ? /__mt_dup/ : /in-order/);
        const paths = [
          ...(build.features.expectedEntries ? ["bulk" as const] : []),
          ...(build.features.mtDup ? ["copy" as const] : []),
        ];
        const dir = mkdtempSync(join(tmpdir(), "maple-release-"));
        try {
          for (const dup of paths) {
            const folder = join(dir, dup);
            Deno.mkdirSync(folder);
            writeFileSync(join(folder, "kernel.json"), JSON.stringify({ source: tree, dup }));
            const module = (await loadVersion(folder)).module;
            const source = module.createTree<number>({ allocRange: true });
            for (let i = 0; i < 500; i++) source.store(16 * i, 16 * i + 9, i + 1);
            const copy = source.dup((v) => v % 5 === 0 ? undefined : v);
            copy.validate();
            assert.equal(
              copy.count(),
              400,
              `${dup}: the copy drops the entries the callback drops`,
            );
            assert.equal(copy.dupReport?.strategy, dup === "bulk" ? "bulk" : "structural");
            // A tree whose one entry is [0, 0] lives in the root pointer: the copy keeps it
            // (the shim's pass over a __mt_dup copy once met it twice and erased it).
            const lone = module.createTree<number>({ allocRange: true });
            lone.store(0, 0, 7);
            assert.deepEqual([...lone.dup().entries()], [{ first: 0, last: 0, value: 7 }]);
            if (dup === "copy") {
              // A copy whose k-th node allocation fails must end in -ENOMEM or a whole copy.
              for (const failAt of [1, 2, 3, 5, 8, 13]) {
                const failing = join(dir, `copy-fails-${failAt}`);
                Deno.mkdirSync(failing);
                writeFileSync(
                  join(failing, "kernel.json"),
                  JSON.stringify({ source: tree, dup, copyFailAt: failAt }),
                );
                const broken = (await loadVersion(failing)).module.createTree<number>({
                  allocRange: true,
                });
                for (let i = 0; i < 500; i++) broken.store(16 * i, 16 * i + 9, i + 1);
                let failed = false;
                try {
                  const child = broken.dup();
                  child.validate();
                  assert.equal(child.count(), 500);
                } catch (error) {
                  assert.ok(error instanceof MapleAllocationError, String(error));
                  failed = true;
                }
                // 500 entries take dozens of nodes: a copy allowed a dozen cannot finish.
                assert.ok(failed, `the copy failing at node ${failAt} reported -ENOMEM`);
                broken.validate();
                assert.equal(broken.count(), 500, "the parent is untouched");
              }
            }
            const run = await runner.run({ name: `${build.release}-${dup}`, folder }, {
              stressor: "fork",
              layout: "glibc",
              seed: 1,
              ops: 200,
              verify: true,
            });
            assert.equal(run.outcome, "pass", `${dup}: ${JSON.stringify(run.failure)}`);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        const counts = compareWithKernel(head, loaded.module, { ops: OPS, seed: 20221211 });
        const met = Object.entries(counts).filter(([, n]) => n > 0) as [KnownDifference, number][];
        const unexpected = met.filter(([name]) => !allowed(name, release, ownPath));
        assert.deepEqual(unexpected, [], `differences linux ${build.release} should not show`);
        console.log(
          `linux ${build.release}: built in ${build.seconds} s, fork by ${ownPath}, ` +
            `${OPS} differential ops; ${met.map(([n, c]) => `${n}: ${c}`).join("; ")}`,
        );
      });
    }
  },
});
