/**
 * Versions from git: a commit of a repository, and the folder of a version as it was at that
 * commit, put on disk once per commit into the git-ignored cache.
 *
 * A commit is archived (`git archive`, so the repository's index, work tree and refs are never
 * touched) into a private temporary folder that is renamed into place when complete, so a
 * probe child never sees half a tree, and a second use of the same commit costs one
 * `existsSync`. TypeScript trees are archived whole: a version folder imports its contract
 * and helpers by relative path (`../contract.ts`, `../../testing/…`), anywhere in its
 * repository, and this repository's whole tree is about 2 MB. A kernel checkout is archived
 * only in the parts the shim's build reads (`Makefile lib include tools`, about 125 MB of the
 * 1.5 GB tree).
 *
 * Git runs in the parent only: probe children are sandboxed without `--allow-run` and get the
 * materialised folder, never a revision.
 *
 * @example
 * ```ts
 * import { commitRange, materialiseCommit } from "./git_versions.ts";
 * const repo = Deno.cwd();
 * try {
 *   const [last] = commitRange(repo, "HEAD~1", "HEAD").slice(-1);
 *   console.log(last.short, last.subject, materialiseCommit(repo, last.sha));
 * } catch (error) {
 *   console.log((error as Error).message); // e.g. not a git checkout, or one commit only
 * }
 * ```
 *
 * @module
 */

import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "./kernel/config.ts";

/** A commit as the suite shows and orders it. */
export interface CommitInfo {
  /** The full object name. */
  readonly sha: string;
  /** The first 12 hex digits, as the kernel's `Fixes:` tags cite a commit. */
  readonly short: string;
  /** The first line of the message. */
  readonly subject: string;
  /** Author date, ISO 8601 with the author's offset (`%aI`). */
  readonly authorDate: string;
  /**
   * Commits on the first-parent line from the root to this one (the root is 1): the order of
   * a history, which dates are not (a rebase keeps author dates).
   */
  readonly position: number;
  /** A tag on the commit (`v6.12`), when it has one: how a release is named beside its sha. */
  readonly tag?: string;
}

/**
 * A revision git cannot resolve, a repository that is not one, an empty range: bad input,
 * named like the loader's own error so that every command reports it in one line.
 *
 * @example
 * ```ts
 * import { GitVersionError } from "./git_versions.ts";
 * console.log(new GitVersionError("unknown revision").name); // UnknownVersionError
 * ```
 */
export class GitVersionError extends Error {
  override name = "UnknownVersionError";
}

/** The files of a kernel checkout that the shim's build reads. */
export const KERNEL_PATHS: readonly string[] = ["Makefile", "lib", "include", "tools"];

/** The stamp each materialised tree holds: which commit, from where, when. */
export const STAMP_FILE = ".maple-git.json";

/** Field separator of the `git log` formats below: a byte no subject contains. */
const SEP = "\u001f";
const FORMAT = `--format=%H${SEP}%s${SEP}%aI`;

/**
 * Run git in `repo`; its trimmed stdout, or a {@linkcode GitVersionError} with git's first
 * complaint.
 *
 * @example
 * ```ts
 * import { git } from "./git_versions.ts";
 * try { console.log(git(Deno.cwd(), ["rev-parse", "--is-inside-work-tree"])); } catch { console.log("not a git checkout"); }
 * ```
 */
export function git(repo: string, args: readonly string[]): string {
  let out: Deno.CommandOutput;
  try {
    out = new Deno.Command("git", {
      args: ["-C", repo, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
    }).outputSync();
  } catch (error) {
    throw new GitVersionError(`cannot run git: ${(error as Error).message}`);
  }
  if (!out.success) {
    const said = new TextDecoder().decode(out.stderr).split("\n").map((l) => l.trim())
      .find((l) => l.length > 0) ?? `exit code ${out.code}`;
    throw new GitVersionError(`git ${args[0]} in ${repo}: ${said.replace(/^(fatal|error): /, "")}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

/**
 * The top folder of the repository holding `dir`.
 *
 * @example
 * ```ts
 * import { repositoryRoot } from "./git_versions.ts";
 * try { console.log(repositoryRoot(".")); } catch (e) { console.log((e as Error).message); }
 * ```
 */
export function repositoryRoot(dir: string): string {
  if (!existsSync(dir)) throw new GitVersionError(`repository folder "${dir}" does not exist`);
  try {
    return git(dir, ["rev-parse", "--show-toplevel"]);
  } catch {
    throw new GitVersionError(`"${dir}" is not in a git repository`);
  }
}

/**
 * Resolve any revision git understands (`HEAD~3`, a tag, a short sha) to its commit.
 *
 * @example
 * ```ts
 * import { resolveCommit } from "./git_versions.ts";
 * try { console.log(resolveCommit(".", "HEAD").short); } catch { console.log("not a git checkout"); }
 * ```
 */
export function resolveCommit(repo: string, rev: string): CommitInfo {
  if (rev === "" || rev.startsWith("-")) {
    throw new GitVersionError(`"${rev}" is not a revision`);
  }
  let sha: string;
  try {
    sha = git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`]);
  } catch {
    throw new GitVersionError(`unknown revision "${rev}" in ${repo}`);
  }
  const [line] = parseLog(git(repo, ["log", "-1", FORMAT, sha, "--"]));
  const position = Number(git(repo, ["rev-list", "--first-parent", "--count", sha]));
  const tag = tagsOf(repo).get(sha);
  return { ...line, position, ...(tag !== undefined ? { tag } : {}) };
}

/**
 * The tags of `repo` by the commit they point at (annotated tags peeled); a commit with
 * several keeps the first in version order (`v6.12` before `v6.12.1`).
 *
 * @example
 * ```ts
 * import { tagsOf } from "./git_versions.ts";
 * try { console.log(tagsOf(".").size >= 0); } catch { console.log("not a git checkout"); }
 * ```
 */
export function tagsOf(repo: string): Map<string, string> {
  const out = git(repo, [
    "for-each-ref",
    "--sort=version:refname",
    `--format=%(objectname)${SEP}%(*objectname)${SEP}%(refname:short)`,
    "refs/tags",
  ]);
  const tags = new Map<string, string>();
  for (const line of out.split("\n").filter((l) => l.length > 0)) {
    const [object, peeled, name] = line.split(SEP);
    const sha = peeled !== "" ? peeled : object;
    if (!tags.has(sha)) tags.set(sha, name);
  }
  return tags;
}

/**
 * Whether commit `sha` of `repo` is a kernel checkout's (it has `lib/maple_tree.c` at the top)
 * rather than one holding a version folder at `path` (a `mod.ts` or `kernel.json` there).
 *
 * @example
 * ```ts
 * import { isKernelCommit, resolveCommit } from "./git_versions.ts";
 * try { console.log(isKernelCommit(".", resolveCommit(".", "HEAD").sha, "core/head")); } catch { console.log("not a git checkout"); }
 * ```
 */
export function isKernelCommit(repo: string, sha: string, path: string): boolean {
  const listed = git(repo, [
    "ls-tree",
    "--name-only",
    sha,
    "--",
    "lib/maple_tree.c",
    `${path}/mod.ts`,
    `${path}/kernel.json`,
  ]).split("\n");
  return listed.includes("lib/maple_tree.c") && listed.length === 1;
}

/** How a range is taken. */
export interface RangeOptions {
  /**
   * Only the tagged commits of the range (its two ends always): a kernel checkout's releases
   * (`v6.1..v6.19` with its release candidates' tags is every `-rc` and release).
   */
  readonly tags?: boolean;
}

/**
 * The commits from `good` to `bad` along `bad`'s first parents, oldest first, both ends
 * included: the history a bisect searches and a bench measures. The first parent is the line
 * a branch was developed on; a merged branch's commits are stepped over as one merge, as
 * `git bisect --first-parent` does. Each commit carries its tag when it has one; with
 * `tags: true` only tagged commits are kept (and both ends), positions still counted along
 * the whole first-parent line so that they order as the history does.
 *
 * @example
 * ```ts
 * import { commitRange } from "./git_versions.ts";
 * try { console.log(commitRange(".", "HEAD~2", "HEAD").map((c) => c.short)); } catch { console.log("a short history"); }
 * ```
 */
export function commitRange(
  repo: string,
  good: string,
  bad: string,
  options: RangeOptions = {},
): CommitInfo[] {
  const from = resolveCommit(repo, good);
  const to = resolveCommit(repo, bad);
  if (from.sha === to.sha) {
    throw new GitVersionError(`empty range: ${good} and ${bad} are the same commit`);
  }
  const after = parseLog(
    git(repo, ["log", "--first-parent", "--reverse", FORMAT, `${from.sha}..${to.sha}`, "--"]),
  );
  const firstParent = after.length === 0
    ? undefined
    : git(repo, ["rev-list", "--parents", "-n", "1", after[0].sha]).split(" ")[1];
  if (after.length === 0 || firstParent !== from.sha) {
    throw new GitVersionError(
      `${good} is not on the first-parent line of ${bad}: want GOOD..BAD with GOOD an ` +
        `older commit of BAD's own history`,
    );
  }
  const tags = tagsOf(repo);
  const all = [from, ...after.map((c, i) => ({ ...c, position: from.position + i + 1 }))].map(
    (c) => {
      const tag = tags.get(c.sha);
      return tag !== undefined ? { ...c, tag } : c;
    },
  );
  return options.tags
    ? all.filter((c, i) => c.tag !== undefined || i === 0 || i === all.length - 1)
    : all;
}

function parseLog(text: string): Omit<CommitInfo, "position">[] {
  return text.split("\n").filter((l) => l.length > 0).map((line) => {
    const [sha, subject, authorDate] = line.split(SEP);
    return { sha, short: sha.slice(0, 12), subject: subject ?? "", authorDate: authorDate ?? "" };
  });
}

/** What materialising did in this process: commits put on disk, and those found there. */
export interface MaterialiseStats {
  readonly made: readonly string[];
  readonly reused: readonly string[];
  /** The cache folder the trees live in. */
  readonly dir: string;
}

const made = new Set<string>();
const reused = new Set<string>();

/**
 * Commits this process materialised and reused (each counted once, by tree folder).
 *
 * @example
 * ```ts
 * import { materialiseStats } from "./git_versions.ts";
 * console.log(materialiseStats().made.length); // 0 before any commit is used
 * ```
 */
export function materialiseStats(): MaterialiseStats {
  return { made: [...made], reused: [...reused].filter((k) => !made.has(k)), dir: gitCacheDir() };
}

/**
 * Where materialised trees live: `<cache>/git/`.
 *
 * @example
 * ```ts
 * import { gitCacheDir } from "./git_versions.ts";
 * console.log(gitCacheDir().endsWith("git")); // true
 * ```
 */
export function gitCacheDir(): string {
  return join(cacheDir(), "git");
}

/**
 * The folder a commit's tree is (or will be) materialised in: `<cache>/git/tree/<sha>`, or
 * `<cache>/git/kernel/<sha>` for a kernel checkout's build files.
 *
 * @example
 * ```ts
 * import { commitTreeDir } from "./git_versions.ts";
 * console.log(commitTreeDir("0123abcd", "tree").endsWith("git/tree/0123abcd")); // true
 * ```
 */
export function commitTreeDir(sha: string, kind: "tree" | "kernel"): string {
  return join(gitCacheDir(), kind, sha);
}

/**
 * Put commit `sha` of `repo` on disk (once; later calls return at once) and return its folder.
 * With `kind: "kernel"` only {@linkcode KERNEL_PATHS} are archived.
 *
 * @example
 * ```ts
 * import { materialiseCommit, resolveCommit } from "./git_versions.ts";
 * try {
 *   const root = materialiseCommit(".", resolveCommit(".", "HEAD").sha);
 *   console.log(root); // …/.cache/git/tree/<sha>
 * } catch { console.log("not a git checkout"); }
 * ```
 */
export function materialiseCommit(
  repo: string,
  sha: string,
  kind: "tree" | "kernel" = "tree",
): string {
  const root = commitTreeDir(sha, kind);
  const key = `${kind}/${sha}`;
  if (existsSync(root)) {
    reused.add(key);
    return root;
  }
  const parent = join(gitCacheDir(), kind);
  mkdirSync(parent, { recursive: true });
  const temp = join(parent, `.${sha}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  const tar = `${temp}.tar`;
  mkdirSync(temp);
  try {
    git(repo, [
      "archive",
      "--format=tar",
      `--output=${tar}`,
      sha,
      ...(kind === "kernel" ? ["--", ...KERNEL_PATHS] : []),
    ]);
    const untar = new Deno.Command("tar", {
      args: ["-xf", tar, "-C", temp],
      stdout: "null",
      stderr: "piped",
    }).outputSync();
    if (!untar.success) {
      const said = new TextDecoder().decode(untar.stderr).split("\n")[0];
      throw new GitVersionError(`cannot unpack commit ${sha.slice(0, 12)}: ${said}`);
    }
    writeFileSync(
      join(temp, STAMP_FILE),
      JSON.stringify({ sha, repo, kind, at: new Date().toISOString() }) + "\n",
    );
    try {
      renameSync(temp, root);
    } catch (error) {
      // Another process put the same commit in place first: its tree is as good as ours.
      if (!existsSync(root)) throw error;
      reused.add(key);
      return root;
    }
    made.add(key);
    return root;
  } finally {
    rmSync(tar, { force: true });
    rmSync(temp, { recursive: true, force: true });
  }
}
