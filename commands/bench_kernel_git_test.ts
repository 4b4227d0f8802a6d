/**
 * `bench --git --tags` and `bisect --git` over a kernel checkout's release tags, as a user runs
 * them over their own Linux tree: a throwaway repository with one commit and tag per release
 * tree present here (`testing/kernel_history.ts`: 6.1 and 6.12 from `kernel:fetch`, 6.19
 * where `../shared/kernel-trees` has it), holding only the files the shim's build reads.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  buildKernelHistory,
  commitKernelFault,
  kernelReleaseTrees,
} from "../testing/kernel_history.ts";
import type { BenchRecord } from "../results/record.ts";
import { validateRecord } from "../results/validate.ts";
import { buildHistory } from "../results/history.ts";
import { runCommandFile } from "./test_support.ts";

const trees = kernelReleaseTrees();
const ready = trees.length >= 2;
if (!ready && !Deno.env.get("CI")) {
  console.log("skip bench_kernel_git_test: fewer than two kernel trees (deno task kernel:fetch)");
}

Deno.test({
  name: "bench --git --tags and bisect --git over a kernel checkout's release tags",
  ignore: !ready && !Deno.env.get("CI"),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "kernel-git-test-" });
    try {
      const history = buildKernelHistory(dir, trees);
      const { repo, commits } = history;
      const tags = commits.map((c) => c.tag!);
      const range = `${tags[0]}..${tags.at(-1)}`;
      const out = join(dir, "runs");
      const cases = "core/load-random,shape/nodes,shape/height";
      const bench = await runCommandFile("bench.ts", [
        "--git",
        range,
        "--repo",
        repo,
        "--tags",
        "--quick",
        "--cases",
        cases,
        "--out",
        out,
      ]);
      assert.equal(bench.code, 0, bench.stderr + bench.stdout);
      assert.match(bench.stdout, new RegExp(`${tags.length} tagged commit\\(s\\)`));
      for (const c of commits) assert.match(bench.stdout, new RegExp(`commit ${c.short} ${c.tag}`));
      const records = [...Deno.readDirSync(out)].map((e) =>
        JSON.parse(Deno.readTextFileSync(join(out, e.name))) as BenchRecord
      );
      assert.equal(records.length, commits.length, "one record per release");
      for (const record of records) assert.ok(validateRecord(record).ok);
      const byRelease = buildHistory(records);
      const nodes = byRelease.find((h) => h.benchmark === "shape/nodes")!;
      assert.deepEqual(
        nodes.versions.map((v) => nodes.commits[v].tag),
        tags,
        "history in release order",
      );
      for (const v of nodes.versions) {
        const [point] = nodes.runs[v];
        assert.ok(point.error === undefined && point.median > 100, `${v}: ${point.error}`);
      }
      const load = byRelease.find((h) => h.benchmark === "core/load-random")!;
      assert.ok(load.versions.every((v) => load.runs[v][0].error === undefined));
      const shown = await runCommandFile("history.ts", ["--dir", out]);
      assert.equal(shown.code, 0, shown.stderr);
      for (const c of commits) assert.match(shown.stdout, new RegExp(`git:${c.short}  ${c.tag}`));

      // Clean releases: no crash. Then a one-line fault on the last tree: the bisect names it.
      const matrix = ["--layout", "cat-self", "--layout", "stress-ng-main", "--seed", "1"];
      const clean = await runCommandFile("bisect.ts", [
        "--git",
        range,
        "--repo",
        repo,
        "--mode",
        "crash",
        ...matrix,
        "--no-record",
        "--quiet",
      ]);
      assert.match(clean.stdout, /no failure: every version tested passes every probe/);
      const fault = commitKernelFault(history);
      const bisect = await runCommandFile("bisect.ts", [
        "--git",
        `${tags[0]}..${fault.short}`,
        "--repo",
        repo,
        "--mode",
        "crash",
        ...matrix,
        "--no-record",
        "--quiet",
      ]);
      assert.equal(bisect.code, 0, bisect.stderr + bisect.stdout);
      assert.match(
        bisect.stdout,
        new RegExp(
          `first bad version: git:${fault.short} \\(last good: git:${commits.at(-2)!.short}\\)`,
        ),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
