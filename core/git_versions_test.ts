import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  commitRange,
  materialiseCommit,
  materialiseStats,
  resolveCommit,
  STAMP_FILE,
} from "./git_versions.ts";
import { gitHistory, locateVersion, readManifest, versionFolder } from "./loader.ts";
import { readKernelConfig, resolveSource } from "./kernel/config.ts";

/** Run git in `dir` with a fixed identity and date. */
function git(dir: string, ...args: string[]): string {
  const out = new Deno.Command("git", {
    args: ["-C", dir, ...args],
    env: {
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t.invalid",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t.invalid",
      GIT_AUTHOR_DATE: "2026-11-01T10:00:00Z",
      GIT_COMMITTER_DATE: "2026-11-01T10:00:00Z",
      GIT_CONFIG_GLOBAL: "/dev/null",
    },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

function write(dir: string, path: string, text: string): void {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** A temporary folder with a private cache for the test's duration. */
async function withScratch(body: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "git-versions-test-" });
  const before = Deno.env.get("MAPLE_CACHE_DIR");
  Deno.env.set("MAPLE_CACHE_DIR", join(dir, "cache"));
  try {
    await body(dir);
  } finally {
    if (before === undefined) Deno.env.delete("MAPLE_CACHE_DIR");
    else Deno.env.set("MAPLE_CACHE_DIR", before);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a range is the first-parent line from GOOD to BAD, both ends included", async () => {
  await withScratch((dir) => {
    const repo = join(dir, "repo");
    mkdirSync(repo);
    git(repo, "init", "--quiet", "--initial-branch=main");
    const commit = (message: string) => {
      write(repo, "core/head/mod.ts", `export const said = ${JSON.stringify(message)};\n`);
      git(repo, "add", "--all");
      git(repo, "commit", "--quiet", "-m", message);
    };
    commit("one");
    commit("two");
    git(repo, "checkout", "--quiet", "-b", "side");
    commit("side work");
    git(repo, "checkout", "--quiet", "main");
    commit("three");
    git(repo, "merge", "--quiet", "--no-ff", "-X", "ours", "-m", "merge side", "side");
    commit("four");

    const range = commitRange(repo, "HEAD~3", "HEAD");
    assert.deepEqual(range.map((c) => c.subject), ["two", "three", "merge side", "four"]);
    assert.deepEqual(range.map((c) => c.position), [2, 3, 4, 5], "side work is not on the line");
    assert.equal(range[0].short, range[0].sha.slice(0, 12));
    assert.match(range[0].authorDate, /^2026-11-01T10:00:00/);
    assert.throws(() => commitRange(repo, "HEAD", "HEAD~1"), /not on the first-parent line/);
    assert.throws(() => commitRange(repo, "side", "HEAD"), /not on the first-parent line/);
    assert.throws(() => commitRange(repo, "HEAD", "HEAD"), /empty range/);
    assert.throws(() => resolveCommit(repo, "no-such-tag"), /unknown revision "no-such-tag"/);
    assert.throws(() => resolveCommit(repo, "--all"), /is not a revision/);

    const versions = gitHistory("HEAD~1..HEAD", { repo: join(repo, "core") });
    assert.deepEqual(versions.map((v) => v.name), range.slice(-2).map((c) => `git:${c.short}`));
    assert.deepEqual(versions.map((v) => v.git?.path), ["core/head", "core/head"]);
  });
});

Deno.test("a commit is materialised once, whole, atomically, and found again for free", async () => {
  await withScratch((dir) => {
    const repo = join(dir, "repo");
    mkdirSync(repo);
    git(repo, "init", "--quiet");
    write(repo, "core/contract.ts", "export type Tree = number;\n");
    write(repo, "core/head/mod.ts", 'export { createTree } from "../../lib/tree.ts";\n');
    write(repo, "lib/tree.ts", "export function createTree() { return {}; }\n");
    git(repo, "add", "--all");
    git(repo, "commit", "--quiet", "-m", "first");
    const sha = git(repo, "rev-parse", "HEAD");

    const made = materialiseStats().made.length;
    const source = locateVersion(`git:${sha.slice(0, 7)}`, readManifest(), { repo });
    assert.equal(source.commit?.sha, sha);
    assert.ok(!existsSync(source.folder), "nothing is written before materialise()");
    const folder = source.materialise();
    assert.equal(folder, join(dir, "cache", "git", "tree", sha, "core", "head"));
    assert.ok(existsSync(join(folder, "..", "..", "lib", "tree.ts")), "the whole tree");
    const stamp = Deno.readTextFileSync(join(dir, "cache", "git", "tree", sha, STAMP_FILE));
    assert.equal(JSON.parse(stamp).sha, sha);
    assert.equal(materialiseStats().made.length, made + 1);

    // Again, and through the loader's public name: nothing more is written.
    assert.equal(materialiseCommit(repo, sha), join(dir, "cache", "git", "tree", sha));
    Deno.env.set("MAPLE_GIT_REPO", repo);
    try {
      assert.equal(versionFolder(`git:${sha}`), folder);
    } finally {
      Deno.env.delete("MAPLE_GIT_REPO");
    }
    assert.equal(materialiseStats().made.length, made + 1);
    assert.equal(
      Deno.readTextFileSync(join(dir, "cache", "git", "tree", sha, STAMP_FILE)),
      stamp,
      "the tree was not written again",
    );
    const leftovers = readdirSync(join(dir, "cache", "git", "tree")).filter((n) => n !== sha);
    assert.deepEqual(leftovers, [], "no temporary folder is left behind");

    // A commit without the version folder cannot be materialised as a version.
    const elsewhere = locateVersion(`git:${sha}`, readManifest(), { repo, path: "nowhere" });
    assert.throws(() => elsewhere.materialise(), /has no version in nowhere/);
    assert.throws(
      () => locateVersion("git:HEAD", readManifest(), { repo, path: "../up" }),
      /--git-path wants a folder inside the repository/,
    );
    assert.throws(
      () => locateVersion("git:HEAD", readManifest(), { repo: dir }),
      /is not in a git repository/,
    );
  });
});

Deno.test("a kernel.json naming a revision builds from that commit's build files only", async () => {
  await withScratch((dir) => {
    const checkout = join(dir, "linux");
    mkdirSync(checkout);
    git(checkout, "init", "--quiet");
    write(checkout, "Makefile", "VERSION = 6\nPATCHLEVEL = 1\n");
    write(checkout, "lib/maple_tree.c", "/* old */\n");
    write(checkout, "include/linux/maple_tree.h", "/* header */\n");
    write(checkout, "tools/testing/radix-tree/maple.c", "/* harness */\n");
    write(checkout, "drivers/huge/driver.c", "/* not needed by the build */\n");
    git(checkout, "add", "--all");
    git(checkout, "commit", "--quiet", "-m", "old");
    const old = git(checkout, "rev-parse", "HEAD");
    write(checkout, "lib/maple_tree.c", "/* new */\n");
    git(checkout, "commit", "--quiet", "-am", "new");

    const version = join(dir, "kernel-old");
    write(
      version,
      "kernel.json",
      JSON.stringify({ source: "../linux", rev: "HEAD~1", undercount: 2 }),
    );
    assert.throws(
      () => resolveSource(readKernelConfig(version), version),
      /load it through the loader/,
      "a child never resolves a revision itself",
    );
    const source = locateVersion(version);
    assert.equal(source.commit?.sha, old);
    const derived = source.materialise();
    const config = readKernelConfig(derived);
    assert.equal(config.undercount, 2);
    assert.equal(config.rev, undefined);
    const tree = resolveSource(config, derived);
    assert.equal(tree, join(dir, "cache", "git", "kernel", old));
    assert.deepEqual(readdirSync(tree).sort(), [
      ".maple-git.json",
      "Makefile",
      "include",
      "lib",
      "tools",
    ]);
    assert.equal(Deno.readTextFileSync(join(tree, "lib", "maple_tree.c")), "/* old */\n");
    assert.equal(locateVersion(version).materialise(), derived, "the same derived folder");
  });
});
