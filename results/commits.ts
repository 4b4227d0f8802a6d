/**
 * Versions that are git commits, as records know them (`VersionRef.commit`): where their
 * order comes from (the first-parent position, not the date, which a rebase keeps), and how
 * they are named on an axis, in a table and on hover.
 *
 * @example
 * ```ts
 * import { commitAxisLabel, orderVersions } from "./commits.ts";
 * const c = (short: string, position: number) => ({
 *   sha: short.padEnd(40, "0"), short, subject: `change ${position}`,
 *   authorDate: `2026-11-0${position}T09:30:00+00:00`, position,
 * });
 * const commits = new Map([["git:b", c("bbbbbbbbbbbb", 2)], ["git:a", c("aaaaaaaaaaaa", 1)]]);
 * console.log(orderVersions(["git:b", "v1", "git:a"], commits)); // ["v1", "git:a", "git:b"]
 * console.log(commitAxisLabel(commits.get("git:a")!)); // "11-01 aaaaaaa"
 * ```
 *
 * @module
 */

import type { CommitRef, SuiteRecord } from "./record.ts";

/**
 * Every commit the records name, by version name; a later record's entry wins.
 *
 * @example
 * ```ts
 * import { commitsOf } from "./commits.ts";
 * console.log(commitsOf([]).size); // 0
 * ```
 */
export function commitsOf(records: readonly SuiteRecord[]): Map<string, CommitRef> {
  const commits = new Map<string, CommitRef>();
  const ordered = [...records].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (const record of ordered) {
    for (const v of record.versions) if (v.commit) commits.set(v.name, v.commit);
  }
  return commits;
}

/**
 * `names` in history order: the versions that are not commits keep their order (`head`
 * last among them), then the commits by first-parent position, author date on a tie.
 *
 * @example
 * ```ts
 * import { orderVersions } from "./commits.ts";
 * console.log(orderVersions(["head", "v1"], new Map())); // ["v1", "head"]
 * ```
 */
export function orderVersions(
  names: readonly string[],
  commits: ReadonlyMap<string, CommitRef>,
): string[] {
  const plain = names.filter((n) => !commits.has(n));
  const ordered = [...plain.filter((n) => n !== "head"), ...plain.filter((n) => n === "head")];
  const fromGit = names.filter((n) => commits.has(n)).sort((a, b) => {
    const x = commits.get(a)!;
    const y = commits.get(b)!;
    return x.position - y.position || x.authorDate.localeCompare(y.authorDate);
  });
  return [...ordered, ...fromGit];
}

/**
 * A commit on a chart's axis: the author's day and the 7-digit short sha, as `git log
 * --oneline` shows it; a tagged commit (a release) by its tag and short sha.
 *
 * @example
 * ```ts
 * import { commitAxisLabel } from "./commits.ts";
 * const c = { sha: "0123456789ab".padEnd(40, "0"), short: "0123456789ab", subject: "fix", authorDate: "2026-12-06T17:00:00+00:00", position: 9 };
 * console.log(commitAxisLabel(c)); // 12-06 0123456
 * ```
 */
export function commitAxisLabel(commit: CommitRef): string {
  const where = commit.tag ?? commit.authorDate.slice(5, 10);
  return `${where} ${commit.short.slice(0, 7)}`;
}

/**
 * A commit in a sentence: short sha (and tag), subject in quotes and the author's day.
 *
 * @example
 * ```ts
 * import { commitTitle } from "./commits.ts";
 * const c = { sha: "0123456789ab".padEnd(40, "0"), short: "0123456789ab", subject: "fix the split", authorDate: "2026-12-06T17:00:00+00:00", position: 9 };
 * console.log(commitTitle(c)); // 0123456789ab "fix the split" (2026-12-06)
 * ```
 */
export function commitTitle(commit: CommitRef): string {
  const tag = commit.tag !== undefined ? ` ${commit.tag}` : "";
  return `${commit.short}${tag} "${commit.subject}" (${commit.authorDate.slice(0, 10)})`;
}
