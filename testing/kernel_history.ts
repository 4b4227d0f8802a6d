/**
 * A throwaway kernel git repository: one commit and one tag per kernel release tree present on
 * this machine (Debian's 6.1 and 6.12 that `deno task kernel:fetch` extracts, the minimal 6.19
 * tree in `../shared/kernel-trees/`, `MAPLE_KERNEL_TREES`), so that `bench --git` and
 * `bisect --git` can be run over release tags as a user runs them over a real kernel checkout.
 *
 * A Debian tree is about 120 MB of `lib`, `include` and `tools`, too much to commit in a test.
 * Only the files the shim's build reads are committed: gcc's dependency output (`-M`) of
 * `core/kernel/shim.c` and `alloc.c` compiled against the tree with the include paths and
 * flags `core/kernel/build.ts` uses, the files under the tree, plus the ones `build.ts` reads
 * without compiling them (`Makefile`, `shared.mk`). That is about 2 MB per release.
 *
 * @example
 * ```ts
 * import { buildKernelHistory, kernelReleaseTrees } from "./kernel_history.ts";
 * const trees = kernelReleaseTrees();
 * if (trees.length >= 2) {
 *   const dir = await Deno.makeTempDir();
 *   const history = buildKernelHistory(dir, trees);
 *   console.log(history.commits.map((c) => `${c.tag} ${c.short}`)); // ["v6.1 …", "v6.12 …"]
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @module
 */

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { detectFeatures, releaseOf } from "../core/kernel/build.ts";
import { debianTreeDir } from "../core/kernel/config.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SHIM_DIR = join(ROOT, "core", "kernel");

/** A release tree to commit, and the tag it gets. */
export interface ReleaseTree {
  /** `v6.1`, `v6.12`, … */
  readonly tag: string;
  /** The kernel source tree's folder. */
  readonly tree: string;
}

/** One commit of a built kernel history. */
export interface KernelCommit {
  readonly sha: string;
  /** The first 12 hex digits, as the suite names a commit (`git:<short>`). */
  readonly short: string;
  readonly subject: string;
  /** The tag on the commit, if any (`v6.12`). */
  readonly tag?: string;
}

/** A built kernel repository and its commits, oldest first. */
export interface KernelHistory {
  readonly repo: string;
  readonly commits: KernelCommit[];
}

/** The releases' dates, so the history's author dates are in release order as well. */
const RELEASE_DATES: Readonly<Record<string, string>> = {
  "6.1": "2022-12-11T14:15:00-08:00",
  "6.12": "2024-11-17T14:15:00-08:00",
  "6.19": "2026-02-08T14:15:00-08:00",
};

/**
 * The release trees present here, oldest release first, each tagged `v<major>.<minor>` from its
 * `Makefile`: the fetched Debian trees, `../shared/kernel-trees/*` beside the project, and the
 * folders in `MAPLE_KERNEL_TREES` (`dir:dir`). A release found twice is taken once.
 *
 * @example
 * ```ts
 * import { kernelReleaseTrees } from "./kernel_history.ts";
 * console.log(kernelReleaseTrees().map((t) => t.tag)); // e.g. ["v6.1", "v6.12", "v6.19"]
 * ```
 */
export function kernelReleaseTrees(): ReleaseTree[] {
  const candidates = [debianTreeDir("6.1"), debianTreeDir("6.12")];
  const shared = resolve(ROOT, "..", "shared", "kernel-trees");
  if (existsSync(shared)) {
    for (const name of readdirSync(shared).sort()) {
      const dir = join(shared, name);
      if (statSync(dir).isDirectory()) candidates.push(dir);
    }
  }
  candidates.push(...(Deno.env.get("MAPLE_KERNEL_TREES") ?? "").split(":").filter((p) => p));
  const byTag = new Map<string, ReleaseTree>();
  for (const tree of candidates) {
    if (!existsSync(join(tree, "lib", "maple_tree.c")) || !existsSync(join(tree, "Makefile"))) {
      continue;
    }
    const release = releaseOf(readFileSync(join(tree, "Makefile"), "utf8"));
    const minor = /^(\d+)\.(\d+)/.exec(release);
    if (!minor) continue;
    const tag = `v${minor[1]}.${minor[2]}`;
    if (!byTag.has(tag)) byTag.set(tag, { tag, tree });
  }
  const order = (t: ReleaseTree) => t.tag.slice(1).split(".").map(Number);
  return [...byTag.values()].sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0] - y[0] || x[1] - y[1];
  });
}

/**
 * The files of `tree` (relative paths) that building the shim against it reads: gcc's `-M`
 * output for `shim.c` and `alloc.c` with `build.ts`'s include paths and feature flags, plus
 * what `build.ts` reads itself (`Makefile`, the maple tree's source and header, the shared
 * harness's `maple-shared.h` and `shared.mk`).
 *
 * @example
 * ```ts
 * import { kernelBuildFiles, kernelReleaseTrees } from "./kernel_history.ts";
 * const [first] = kernelReleaseTrees();
 * if (first) console.log(kernelBuildFiles(first.tree).includes("lib/maple_tree.c")); // true
 * ```
 */
export function kernelBuildFiles(tree: string): string[] {
  const root = resolve(tree);
  const source = readFileSync(join(root, "lib", "maple_tree.c"), "utf8");
  const header = readFileSync(join(root, "include", "linux", "maple_tree.h"), "utf8");
  const shared = join(root, "tools", "testing", "shared");
  const sharedMk = existsSync(join(shared, "maple-shared.h"))
    ? (existsSync(join(shared, "shared.mk")) ? readFileSync(join(shared, "shared.mk"), "utf8") : "")
    : undefined;
  const features = detectFeatures(source, header, sharedMk);
  // The same generated headers, flags and include order as build.ts's compile: a different
  // order could resolve a header to another file than the real build reads.
  const work = mkdtempSync(join(tmpdir(), "maple-kdeps-"));
  try {
    const generated = join(work, "generated");
    mkdirSync(generated);
    writeFileSync(join(generated, "map-shift.h"), "#define XA_CHUNK_SHIFT 3\n");
    writeFileSync(join(generated, "bit-length.h"), "#define CONFIG_64BIT 1\n");
    writeFileSync(
      join(generated, "autoconf.h"),
      '#include "bit-length.h"\n#define CONFIG_XARRAY_MULTI 1\n',
    );
    const harness = join(root, "tools", "testing");
    const arch = join(
      root,
      "tools",
      "arch",
      Deno.build.arch === "aarch64" ? "arm64" : "x86",
      "include",
    );
    const args = [
      "-M",
      "-w",
      "-D_LGPL_SOURCE",
      "-Dfallthrough=__attribute__((__fallthrough__))",
      ...(features.expectedEntries ? ["-DMB_HAVE_EXPECTED_ENTRIES"] : []),
      ...(features.mtDup ? ["-DMB_HAVE_MT_DUP"] : []),
      ...(features.preallocateTakesEntry ? ["-DMB_PREALLOCATE_TAKES_ENTRY"] : []),
      ...(features.dumpFormat ? ["-DMB_MT_DUMP_FORMAT"] : []),
      ...(features.sheaves ? ["-DMB_HAVE_SHEAVES"] : []),
      `-I${work}`,
      `-I${generated}`,
      `-I${SHIM_DIR}`,
      ...(features.sharedHarness ? [`-I${join(harness, "shared")}`] : []),
      `-I${join(harness, "radix-tree")}`,
      `-I${join(root, "tools", "include")}`,
      ...(features.sharedHarness ? [`-I${join(root, "lib")}`] : []),
      ...(features.archHeaders && existsSync(arch) ? [`-I${arch}`] : []),
      `-idirafter${root}`,
    ];
    const files = new Set<string>([
      "Makefile",
      "lib/maple_tree.c",
      "include/linux/maple_tree.h",
    ]);
    for (const extra of ["tools/testing/shared/maple-shared.h", "tools/testing/shared/shared.mk"]) {
      if (existsSync(join(root, extra))) files.add(extra);
    }
    for (const unit of ["shim.c", "alloc.c"]) {
      const out = new Deno.Command(Deno.env.get("CC") ?? "gcc", {
        args: [...args, join(SHIM_DIR, unit)],
        stdout: "piped",
        stderr: "piped",
      }).outputSync();
      if (!out.success) {
        const said = new TextDecoder().decode(out.stderr).split("\n").find((l) => /error/.test(l));
        throw new Error(`gcc -M ${unit} against ${tree}: ${said ?? `exit code ${out.code}`}`);
      }
      const deps = new TextDecoder().decode(out.stdout).replace(/\\\n/g, " ").split(/\s+/);
      for (const dep of deps.slice(1)) {
        if (dep === "") continue;
        const rel = relative(root, resolve(dep));
        if (!rel.startsWith("..") && !rel.startsWith("/")) files.add(rel);
      }
    }
    return [...files].sort();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Run git in `repo` with a fixed identity and dates; its trimmed stdout. */
function gitIn(repo: string, args: readonly string[], date?: string): string {
  const out = new Deno.Command("git", {
    args: ["-C", repo, ...args],
    stdout: "piped",
    stderr: "piped",
    env: {
      GIT_AUTHOR_NAME: "Maple Bisect",
      GIT_AUTHOR_EMAIL: "maple@example.invalid",
      GIT_COMMITTER_NAME: "Maple Bisect",
      GIT_COMMITTER_EMAIL: "maple@example.invalid",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_NOSYSTEM: "1",
      ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
    },
  }).outputSync();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

function commitOf(repo: string, tag?: string): KernelCommit {
  const sha = gitIn(repo, ["rev-parse", "HEAD"]);
  return {
    sha,
    short: sha.slice(0, 12),
    subject: gitIn(repo, ["log", "-1", "--format=%s"]),
    ...(tag ? { tag } : {}),
  };
}

/**
 * Make a git repository in `dir/repo` with one commit per release tree (its build files only,
 * see {@linkcode kernelBuildFiles}), in the order given, each tagged with its release.
 *
 * @example
 * ```ts
 * import { buildKernelHistory, kernelReleaseTrees } from "./kernel_history.ts";
 * const dir = await Deno.makeTempDir();
 * const history = buildKernelHistory(dir, kernelReleaseTrees().slice(0, 2));
 * console.log(history.commits.length); // 2 when both Debian trees are fetched
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function buildKernelHistory(dir: string, trees: readonly ReleaseTree[]): KernelHistory {
  const repo = join(dir, "repo");
  mkdirSync(repo, { recursive: true });
  gitIn(repo, ["init", "-q", "-b", "master"]);
  const commits: KernelCommit[] = [];
  for (const { tag, tree } of trees) {
    // Each release replaces the whole tree, as a real history's files follow the release.
    for (const entry of readdirSync(repo)) {
      if (entry !== ".git") rmSync(join(repo, entry), { recursive: true, force: true });
    }
    for (const file of kernelBuildFiles(tree)) {
      mkdirSync(dirname(join(repo, file)), { recursive: true });
      copyFileSync(join(tree, file), join(repo, file));
    }
    const release = releaseOf(readFileSync(join(tree, "Makefile"), "utf8"));
    const date = RELEASE_DATES[tag.slice(1)] ?? new Date().toISOString();
    gitIn(repo, ["add", "-A"]);
    gitIn(repo, ["commit", "-q", "-m", `Linux ${release}`], date);
    gitIn(repo, ["tag", tag], date);
    commits.push(commitOf(repo, tag));
  }
  return { repo, commits };
}

/**
 * Commit a one-line fault on top of the history's last tree: `__mt_dup`'s child allocation
 * asks for one node fewer than the node has children, so the copy's last child keeps
 * pointing into the source tree; tearing down one tree frees nodes the other still uses, and
 * the fork stressor crashes (the kernel's poison is read as a pointer). For a tree without
 * `__mt_dup` (6.1), the bulk path's `mas_expected_entries` is told of two entries fewer, the
 * July 2022 undercount. Returns the new commit, tagged when `tag` is given.
 *
 * @example
 * ```ts
 * import { buildKernelHistory, commitKernelFault, kernelReleaseTrees } from "./kernel_history.ts";
 * const dir = await Deno.makeTempDir();
 * const history = buildKernelHistory(dir, kernelReleaseTrees().slice(0, 1));
 * if (history.commits.length > 0) console.log(commitKernelFault(history).subject);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function commitKernelFault(history: KernelHistory, tag?: string): KernelCommit {
  const file = join(history.repo, "lib", "maple_tree.c");
  const text = readFileSync(file, "utf8");
  // 6.12 asks the allocator for `request` children; 6.19 pops `count` nodes in one loop.
  const request = "\trequest = mas_data_end(mas) + 1;\n\tcount = mt_alloc_bulk(";
  const dupAt = text.indexOf("static inline void mas_dup_alloc(");
  const popLoop = "for (i = 0; i < count; i++) {\n\t\tval = (unsigned long)mt_slot_locked(";
  const popAt = dupAt < 0 ? -1 : text.indexOf(popLoop, dupAt);
  const bulk =
    /(int mas_expected_entries\(struct ma_state \*mas, unsigned long nr_entries\)\n\{\n)/;
  let faulty: string;
  let subject: string;
  if (text.includes(request)) {
    faulty = text.replace(request, "\trequest = mas_data_end(mas);\n\tcount = mt_alloc_bulk(");
    subject = "maple_tree: allocate one child fewer in mas_dup_alloc";
  } else if (popAt >= 0 && text.includes("count = mas->node_request = mas_data_end(mas) + 1;")) {
    faulty = text.slice(0, popAt) + popLoop.replace("i < count", "i + 1 < count") +
      text.slice(popAt + popLoop.length);
    subject = "maple_tree: fill one child fewer in mas_dup_alloc";
  } else if (bulk.test(text)) {
    faulty = text.replace(bulk, "$1\tnr_entries = nr_entries > 2 ? nr_entries - 2 : 0;\n");
    subject = "maple_tree: expect two entries fewer in mas_expected_entries";
  } else {
    throw new Error("no mas_dup_alloc or mas_expected_entries to put a fault in");
  }
  writeFileSync(file, faulty);
  gitIn(history.repo, ["commit", "-q", "-am", subject], "2026-03-01T10:00:00+00:00");
  if (tag) gitIn(history.repo, ["tag", tag]);
  const commit = commitOf(history.repo, tag);
  history.commits.push(commit);
  return commit;
}
