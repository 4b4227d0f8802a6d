import assert from "node:assert/strict";
import { join } from "node:path";
import { buildGitHistory } from "../testing/git_history.ts";
import type { BenchRecord } from "../results/record.ts";
import { validateRecord } from "../results/validate.ts";
import { runCommandFile } from "./test_support.ts";

Deno.test("bench --git writes a record per commit, skips measured ones, and history names the step's commit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bench-git-test-" });
  try {
    const { repo, commits } = await buildGitHistory(join(dir, "repo"), [
      "harmless",
      "slows",
      "harmless",
    ]);
    const [base, , slows, last] = commits;
    const out = join(dir, "runs");
    const env = { MAPLE_CACHE_DIR: join(dir, "cache") };
    // The gap search validates the 10,000-range tree on every other call: a step no noise hides.
    const args = [
      "--git",
      `${base.short}..${last.short}`,
      "--repo",
      repo,
      "--quick",
      "--cases",
      "core/empty-area-rev",
      "--out",
      out,
    ];
    const ran = await runCommandFile("bench.ts", args, env);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.match(ran.stdout, /4 commit\(s\), 4 picked, 0 already measured, 4 to measure/);
    const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.equal(files.length, 4, "one record per commit");
    const records = files.map((f) =>
      JSON.parse(Deno.readTextFileSync(join(out, f))) as BenchRecord
    );
    for (const record of records) assert.ok(validateRecord(record).ok);
    assert.deepEqual(
      records.map((r) => r.versions[0].commit?.sha).sort(),
      commits.map((c) => c.sha).sort(),
    );
    assert.ok(records.every((r) => r.samples[0].version === r.versions[0].name));

    const again = await runCommandFile("bench.ts", args, env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /4 picked, 4 already measured, 0 to measure/);
    assert.equal([...Deno.readDirSync(out)].length, 4, "nothing measured twice");

    const sparse = await runCommandFile("bench.ts", [...args, "--every", "2"], env);
    assert.match(
      sparse.stdout,
      /4 commit\(s\), 3 picked \(every 2\), 3 already measured/,
      "the first, the third and the last",
    );

    const history = await runCommandFile("history.ts", ["--dir", out]);
    assert.equal(history.code, 0, history.stderr);
    assert.ok(
      history.stdout.includes(`step at commit ${slows.short} "${slows.subject}" (2026-11-03)`),
      history.stdout,
    );
    const lines = history.stdout.split("\n").filter((l) => l.startsWith("  git:"));
    assert.deepEqual(
      lines.map((l) => l.trim().split(/\s+/)[0]),
      commits.map((c) => `git:${c.short}`),
      "commits in history order",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bench --git refuses what does not go with it", async () => {
  const cases: [string[], RegExp][] = [
    [["--git", "HEAD~1..HEAD", "--versions", "head"], /give --versions or --git, not both/],
    [["--every", "2"], /--every goes with --git/],
    [["--git", "HEAD~1..HEAD", "--every", "0"], /--every wants an integer >= 1/],
    [["--git", "x..y", "--repo", "/nonexistent"], /does not exist/],
  ];
  for (const [args, message] of cases) {
    const ran = await runCommandFile("bench.ts", args);
    assert.equal(ran.code, 2, ran.stdout + ran.stderr);
    assert.match(ran.stderr, message);
    assert.equal(ran.stderr.trim().split("\n").length, 1, ran.stderr);
  }
});
