/**
 * A throwaway git repository holding a history of head, built from the project's own files,
 * for the tests and demonstrations of `bisect --git` and `bench --git`.
 *
 * The first commit copies `core/contract.ts` and `core/head/` (tests left out). Every later
 * commit is one of:
 * - `harmless`: a line in `core/head/CHANGES.md`, so head's folder changes but not its code;
 * - `breaks`: fork of a tree of more than 12 entries reads a field of nothing (a `TypeError`
 *   in `linkNewNode`), as the July 2022 split did with an empty node pool;
 * - `breaks-validate`: `validate()` of a tree of more than 12 entries reports a broken pivot
 *   (a second, different bug, for crash bisects that must follow one failure), and
 *   `fixes-validate` mends it;
 * - `unloadable`: head no longer type-checks (a bisect must skip it), and `loads-again` fixes it;
 * - `slows`: every other gap search first validates the whole tree, a debug check left on:
 *   honest extra work, proportional to the tree, that the mmap stressor pays for.
 *
 * The changes go into `core/head/mod.ts` as a subclass of head's tree, so they depend only on
 * head's public methods, not on how its internals are arranged at the time.
 *
 * @example
 * ```ts
 * import { buildGitHistory } from "./git_history.ts";
 * const dir = await Deno.makeTempDir();
 * const history = await buildGitHistory(dir, ["harmless", "breaks", "harmless"]);
 * console.log(history.commits.map((c) => `${c.short} ${c.kind}`).join("\n"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** What one commit after the first does to head. */
export type CommitKind =
  | "harmless"
  | "breaks"
  | "breaks-validate"
  | "fixes-validate"
  | "unloadable"
  | "loads-again"
  | "slows";

/** One commit of a built history. */
export interface BuiltCommit {
  readonly sha: string;
  /** The first 12 hex digits, as the suite names a commit (`git:<short>`). */
  readonly short: string;
  readonly subject: string;
  /** `base` for the first commit. */
  readonly kind: CommitKind | "base";
}

/** A built repository and its commits, oldest first. */
export interface BuiltHistory {
  readonly repo: string;
  readonly commits: readonly BuiltCommit[];
}

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** What head's `mod.ts` carries at a commit. */
interface HeadState {
  breaks: boolean;
  breaksValidate: boolean;
  unloadable: boolean;
  slows: boolean;
}

const SUBJECTS: Readonly<Record<CommitKind, readonly string[]>> = {
  harmless: [
    "head: note the allocator's budget in CHANGES",
    "head: spell out why splits favour the left",
    "head: record the gap-tracking rule",
    "head: mention the lone [0,0] entry",
    "head: note the spanning store's limits",
    "head: describe the bulk fix-up",
  ],
  breaks: ["head: link the split's new node before checking the pool"],
  "breaks-validate": ["head: validate pivots against the parent's stale copy"],
  "fixes-validate": ["head: validate pivots against the parent's own copy again"],
  unloadable: ["head: name the node geometry (does not type-check)"],
  "loads-again": ["head: geometry is a number again"],
  slows: ["head: validate the tree before every other gap search (debug)"],
};

/**
 * Build a repository in `dir` (which must be empty or missing): the base commit, then one
 * commit per kind, with author dates a day apart from 2026-11-01 so that the order of dates
 * and of commits agree.
 *
 * @example
 * ```ts
 * import { buildGitHistory } from "./git_history.ts";
 * const dir = await Deno.makeTempDir();
 * const { commits } = await buildGitHistory(dir, ["slows"]);
 * console.log(commits.length); // 2
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function buildGitHistory(
  dir: string,
  kinds: readonly CommitKind[],
): Promise<BuiltHistory> {
  mkdirSync(join(dir, "core", "head"), { recursive: true });
  copyFileSync(join(ROOT, "core", "contract.ts"), join(dir, "core", "contract.ts"));
  for (const name of readdirSync(join(ROOT, "core", "head"))) {
    if (name.endsWith(".ts") && !name.endsWith("_test.ts")) {
      copyFileSync(join(ROOT, "core", "head", name), join(dir, "core", "head", name));
    }
  }
  const original = Deno.readTextFileSync(join(dir, "core", "head", "mod.ts"));
  writeFileSync(join(dir, "core", "head", "CHANGES.md"), "# Changes to head\n");
  await git(dir, ["init", "--quiet", "--initial-branch=main"]);
  const commits: BuiltCommit[] = [];
  let day = 0;
  const commit = async (subject: string, kind: BuiltCommit["kind"]) => {
    const date = new Date(Date.UTC(2026, 10, 1 + day++, 9, 30)).toISOString();
    await git(dir, ["add", "--all"]);
    await git(dir, ["commit", "--quiet", "--no-verify", "-m", subject], date);
    const sha = await git(dir, ["rev-parse", "HEAD"]);
    commits.push({ sha, short: sha.slice(0, 12), subject, kind });
  };
  await commit("head: import the maple tree from the suite", "base");

  const state: HeadState = {
    breaks: false,
    breaksValidate: false,
    unloadable: false,
    slows: false,
  };
  const used = new Map<CommitKind, number>();
  for (const kind of kinds) {
    const n = used.get(kind) ?? 0;
    used.set(kind, n + 1);
    const choices = SUBJECTS[kind];
    const subject = choices[n % choices.length] + (n >= choices.length ? ` (${n + 1})` : "");
    if (kind === "harmless") {
      const changes = join(dir, "core", "head", "CHANGES.md");
      writeFileSync(changes, `${Deno.readTextFileSync(changes)}- ${subject}\n`);
    } else {
      if (kind === "breaks") state.breaks = true;
      if (kind === "breaks-validate") state.breaksValidate = true;
      if (kind === "fixes-validate") state.breaksValidate = false;
      if (kind === "unloadable") state.unloadable = true;
      if (kind === "loads-again") state.unloadable = false;
      if (kind === "slows") state.slows = true;
      writeFileSync(join(dir, "core", "head", "mod.ts"), headModule(original, state));
    }
    await commit(subject, kind);
  }
  return { repo: dir, commits };
}

/** Head's `mod.ts` with the state's changes, or as it was when there are none. */
function headModule(original: string, state: HeadState): string {
  if (!state.breaks && !state.breaksValidate && !state.unloadable && !state.slows) {
    return original;
  }
  const lines = [
    "/**",
    " * The head version of the maple tree, with the changes of a throwaway test history.",
    " *",
    " * @module",
    " */",
    "",
    `import type { ${state.slows ? "Area, " : ""}MapleTree, TreeOptions } from "../contract.ts";`,
    ...(state.breaksValidate ? ['import { MapleInvariantError } from "../contract.ts";'] : []),
    'import { MapleTreeImpl } from "./tree.ts";',
    "",
  ];
  if (state.unloadable) lines.push('export const NODE_SLOTS: number = "sixteen";', "");
  lines.push("class HeadTree<T> extends MapleTreeImpl<T> {");
  if (state.slows) {
    lines.push(
      "  #searches = 0;",
      "",
      "  override emptyAreaRev(min: number, max: number, size: number): Area | undefined {",
      "    if (++this.#searches % 2 === 0) this.validate();",
      "    return super.emptyAreaRev(min, max, size);",
      "  }",
      "",
    );
  }
  if (state.breaks) {
    lines.push(
      "  override dup(copy?: (value: T) => T | undefined): MapleTreeImpl<T> {",
      "    if (this.count() > 12) linkNewNode(undefined);",
      "    return super.dup(copy);",
      "  }",
      "",
    );
  }
  if (state.breaksValidate) {
    lines.push(
      "  override validate(): void {",
      "    super.validate();",
      "    if (this.count() > 12) {",
      '      throw new MapleInvariantError("pivot-order", "root/0", 12, "pivot 12 is below pivot 11");',
      "    }",
      "  }",
      "",
    );
  }
  lines.push(
    "}",
    "",
    "/** Stands in for linking a node taken from an empty pool: reads a field of nothing. */",
    "function linkNewNode(node: { parent: unknown } | undefined): unknown {",
    "  return (node as { parent: unknown }).parent;",
    "}",
    "",
    "/** Make an empty tree. */",
    "export function createTree<T>(options?: TreeOptions): MapleTree<T> {",
    "  return new HeadTree<T>(options);",
    "}",
    "",
  );
  return lines.join("\n").replace("\n\n}\n\n/** Stands", "\n}\n\n/** Stands");
}

async function git(dir: string, args: readonly string[], date?: string): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["-C", dir, ...args],
    env: {
      GIT_AUTHOR_NAME: "maple-bisect test",
      GIT_AUTHOR_EMAIL: "test@maple-bisect.invalid",
      GIT_COMMITTER_NAME: "maple-bisect test",
      GIT_COMMITTER_EMAIL: "test@maple-bisect.invalid",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`git ${args[0]}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

if (import.meta.main) {
  const [dir, ...kinds] = Deno.args;
  if (dir === undefined) {
    console.error("usage: deno run -A testing/git_history.ts DIR [KIND...]");
    Deno.exit(2);
  }
  const known = Object.keys(SUBJECTS);
  const unknown = kinds.find((k) => !known.includes(k));
  if (unknown !== undefined) {
    console.error(`git_history: unknown kind "${unknown}" (known: ${known.join(", ")})`);
    Deno.exit(2);
  }
  const history = await buildGitHistory(dir, kinds as CommitKind[]);
  for (const c of history.commits) console.log(`${c.short} ${c.kind.padEnd(15)} ${c.subject}`);
}
