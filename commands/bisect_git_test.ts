import assert from "node:assert/strict";
import { join } from "node:path";
import { buildGitHistory, type BuiltHistory } from "../testing/git_history.ts";
import type { BisectRecord } from "../results/record.ts";
import { validateRecord } from "../results/validate.ts";
import { type Ran, runCommandFile } from "./test_support.ts";

// One probe per commit keeps the searches short; the layout's 37 VMAs fork into the bug.
const ONE_PROBE = ["--layout", "cat-self", "--seed", "1", "--time-limit", "10000"];

/** A throwaway repository and a private cache, removed afterwards. */
async function withHistory(
  kinds: Parameters<typeof buildGitHistory>[1],
  body: (history: BuiltHistory, cache: string, records: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "bisect-git-test-" });
  try {
    const history = await buildGitHistory(join(dir, "repo"), kinds);
    await body(history, join(dir, "cache"), join(dir, "records"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function bisect(cache: string, records: string, args: string[]): Promise<Ran> {
  return runCommandFile("bisect.ts", ["--records", records, ...args], {
    MAPLE_CACHE_DIR: cache,
  });
}

/** The commits materialised in `cache`, with the time each stamp was written. */
async function stamps(cache: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const entry of Deno.readDir(join(cache, "git", "tree"))) {
    if (!entry.isDirectory || entry.name.startsWith(".")) continue;
    const stamp = JSON.parse(
      await Deno.readTextFile(join(cache, "git", "tree", entry.name, ".maple-git.json")),
    ) as { at: string };
    found.set(entry.name, stamp.at);
  }
  return found;
}

Deno.test("bisect --git names the breaking commit, skips one that does not load, materialises each once", async () => {
  await withHistory(
    ["harmless", "harmless", "unloadable", "loads-again", "breaks", "harmless", "harmless"],
    async ({ repo, commits }, cache, records) => {
      const [base, , , unloadable, loadsAgain, breaks] = commits;
      const last = commits.at(-1)!;
      const range = `${base.short}..${last.short}`;
      const ran = await bisect(cache, records, [
        "--git",
        range,
        "--repo",
        repo,
        "--mode",
        "crash",
        ...ONE_PROBE,
      ]);
      assert.equal(ran.code, 0, ran.stderr + ran.stdout);
      assert.match(
        ran.stdout,
        new RegExp(
          `first bad version: git:${breaks.short} \\(last good: git:${loadsAgain.short}\\) ` +
            `\\[confident\\]`,
        ),
      );
      assert.ok(
        ran.stdout.includes(
          `commit ${breaks.short} "${breaks.subject}" (2026-11-06T09:30:00+00:00)`,
        ),
        ran.stdout,
      );
      assert.match(ran.stdout, /following: crash linkNewNode \(mod\.ts\)/);
      assert.match(ran.stdout, /fails 5:5 runs on git:/);
      assert.match(ran.stdout, new RegExp(`git:${unloadable.short} skip`));
      assert.match(
        ran.stdout,
        new RegExp(
          `reproduce: MAPLE_GIT_REPO=${repo} MAPLE_GIT_PATH=core/head deno task stress ` +
            `--stressor fork --version git:${breaks.short} --layout cat-self --seed 1`,
        ),
      );
      // Endpoints, the unloadable midpoint, its neighbour and the breaking commit: five,
      // each put on disk once although the boundary's commits ran several probes.
      assert.match(ran.stdout, /git: 5 commit\(s\) materialised into .*, 0 reused/);
      const first = await stamps(cache);
      assert.deepEqual(
        [...first.keys()].sort(),
        [base, last, unloadable, loadsAgain, breaks].map((c) => c.sha).sort(),
      );

      const [file] = [...Deno.readDirSync(records)];
      const record = JSON.parse(await Deno.readTextFile(join(records, file.name))) as BisectRecord;
      assert.ok(validateRecord(record).ok, JSON.stringify(validateRecord(record)));
      assert.equal(record.verdicts[0].version, `git:${breaks.short}`);
      assert.equal(record.versions.length, commits.length);
      assert.equal(record.versions[5].commit?.sha, breaks.sha);
      assert.deepEqual(record.parameters.git, { range, repo, path: "core/head" });

      // A second use costs nothing: the same commits are found in the cache, untouched.
      const again = await bisect(cache, records, [
        "--git",
        `${loadsAgain.short}..${breaks.short}`,
        "--repo",
        repo,
        "--mode",
        "crash",
        "--no-record",
        ...ONE_PROBE,
      ]);
      assert.equal(again.code, 0, again.stderr + again.stdout);
      assert.match(again.stdout, /git: 0 commit\(s\) materialised into .*, 2 reused/);
      assert.deepEqual(await stamps(cache), first);
    },
  );
});

Deno.test("bisect --git --mode perf finds the commit that makes head slower", async () => {
  await withHistory(["slows", "harmless"], async ({ repo, commits }, cache, records) => {
    const [base, slows, last] = commits;
    const ran = await bisect(cache, records, [
      "--git",
      `${base.short}..${last.short}`,
      "--repo",
      repo,
      "--mode",
      "perf",
      "--perf-ops",
      "400",
      "--samples",
      "6",
      "--no-record",
    ]);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.match(
      ran.stdout,
      new RegExp(`first slower version: git:${slows.short} \\(last good: git:${base.short}\\)`),
    );
    assert.ok(ran.stdout.includes(`commit ${slows.short} "${slows.subject}"`), ran.stdout);
    assert.match(
      ran.stdout,
      new RegExp(
        `reproduce: deno task bisect --mode perf --repo ${repo} --git-path core/head ` +
          `--git ${base.short}\\.\\.${slows.short}`,
      ),
    );
    const change = /\s(-\d+\.\d)%\s/.exec(ran.stdout.split("%stddev     %change")[1] ?? "");
    assert.ok(change && Number(change[1]) <= -10, `the extra work shows: ${change?.[1]}`);
  });
});

Deno.test("bisect --git refuses a bad range in one line with exit 2", async () => {
  await withHistory(["harmless"], async ({ repo, commits }, cache, records) => {
    const [base, last] = commits;
    const cases: [string[], RegExp][] = [
      [["--git", "HEAD"], /--git wants a range GOOD\.\.BAD/],
      [["--git", `${base.short}...${last.short}`], /--git wants a range GOOD\.\.BAD/],
      [["--git", `${base.short}..nowhere`], /unknown revision "nowhere"/],
      [["--git", `${last.short}..${base.short}`], /is not on the first-parent line of/],
      [["--git", `${base.short}..${last.short}`, "--good", "v1.0.0"], /leave out --good/],
      [["--git", `${base.short}..${last.short}`, "--git-path", "../x"], /--git-path wants/],
      [["--repo", repo], /--repo and --git-path go with --git/],
    ];
    for (const [args, message] of cases) {
      const ran = await bisect(cache, records, ["--repo", repo, "--mode", "crash", ...args]);
      assert.equal(ran.code, 2, `${args.join(" ")}: ${ran.stdout}${ran.stderr}`);
      assert.equal(ran.stderr.trim().split("\n").length, 1, ran.stderr);
      assert.match(ran.stderr, message);
    }
    const elsewhere = await bisect(cache, records, ["--git", "a..b", "--repo", "/nonexistent"]);
    assert.equal(elsewhere.code, 2);
    assert.match(elsewhere.stderr, /repository folder "\/nonexistent" does not exist/);
  });
});
