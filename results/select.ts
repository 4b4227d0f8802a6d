/**
 * Picks the two sides of a comparison from what a user typed: two record files, or two
 * version names looked up in the latest records.
 *
 * Every set of a side names the machine that measured it (`machine`): its own, when a merge
 * of shards from several machines kept it, else its record's ({@linkcode recordMachine}), so
 * that `compare.ts` never pairs figures of two machines.
 *
 * @example
 * ```ts
 * import { selectSides } from "./select.ts";
 * import { loadRecords } from "./store.ts";
 * const { records } = await loadRecords("results/fixtures/runs");
 * const sides = selectSides("v1", "head", records.map((r) => r.record));
 * console.log(sides.before.title, sides.after.title);
 * ```
 *
 * @module
 */

import { commitsOf, commitTitle } from "./commits.ts";
import { runLabel, type SampleSet, type SuiteRecord } from "./record.ts";

/** One side of a comparison. */
export interface Side {
  /** Column title, e.g. the version name or the record id. */
  readonly title: string;
  readonly sets: readonly SampleSet[];
}

/** Both sides, and how their sets pair up. */
export interface Sides {
  readonly before: Side;
  readonly after: Side;
  /** The pairing key: per benchmark, or per benchmark and version. */
  readonly key: (set: SampleSet) => string;
  /** What was chosen, for the header line. */
  readonly description: string;
  /** The records the sides were taken from (one when both come from the same run). */
  readonly records: readonly SuiteRecord[];
}

/** The user's choice cannot be served (bad input, not a crash). */
export class SelectionError extends Error {
  override name = "SelectionError";
}

const byBenchmark = (s: SampleSet) => s.benchmark;

/**
 * The machine a record's sets were measured on, as comparisons key them: CPU model and cores
 * (a record names no host). A merge of shards from several machines names each set's own
 * machine instead, host included, so such a set pairs only with sets of its own shard's host.
 *
 * @example
 * ```ts
 * import { recordMachine } from "./select.ts";
 * import { loadRecords } from "./store.ts";
 * const { records } = await loadRecords("results/fixtures/runs");
 * console.log(recordMachine(records[0].record)); // Fixture CPU x2
 * ```
 */
export function recordMachine(record: SuiteRecord): string {
  const m = record.environment.machine;
  return `${m.cpuModel} x${m.cores}`;
}

/** The record's sets that `keep` picks, each naming its machine. */
function setsOf(record: SuiteRecord, keep: (set: SampleSet) => boolean): SampleSet[] {
  const machine = recordMachine(record);
  return record.samples.filter(keep).map((s) => s.machine !== undefined ? s : { ...s, machine });
}
const byBenchmarkAndVersion = (s: SampleSet) => `${s.benchmark} [${s.version}]`;

/**
 * Compare two whole records: sets pair by benchmark and version over the versions both
 * measured; two single-version records pair by benchmark alone.
 *
 * @example
 * ```ts
 * import { sidesFromRecords } from "./select.ts";
 * import type { SuiteRecord } from "./record.ts";
 * function usage(a: SuiteRecord, b: SuiteRecord): void {
 *   console.log(sidesFromRecords(a, b).description);
 * }
 * ```
 */
export function sidesFromRecords(a: SuiteRecord, b: SuiteRecord): Sides {
  const versionsOf = (r: SuiteRecord) => new Set(r.samples.map((s) => s.version));
  const va = versionsOf(a);
  const vb = versionsOf(b);
  const common = [...va].filter((v) => vb.has(v));
  if (common.length > 0) {
    const keep = (r: SuiteRecord) => setsOf(r, (s) => common.includes(s.version));
    return {
      before: { title: `run ${runLabel(a.id, a.startedAt)}`, sets: keep(a) },
      after: { title: `run ${runLabel(b.id, b.startedAt)}`, sets: keep(b) },
      key: byBenchmarkAndVersion,
      description: `record ${a.id} -> ${b.id}, versions ${common.join(", ")}`,
      records: [a, b],
    };
  }
  if (va.size === 1 && vb.size === 1) {
    return {
      before: { title: [...va][0], sets: setsOf(a, () => true) },
      after: { title: [...vb][0], sets: setsOf(b, () => true) },
      key: byBenchmark,
      description: `record ${a.id} (${[...va][0]}) -> ${b.id} (${[...vb][0]})`,
      records: [a, b],
    };
  }
  throw new SelectionError(`records ${a.id} and ${b.id} have no version in common`);
}

/**
 * Compare two versions: from the latest record that measured both (so both come from one
 * run on one machine), else from the latest record of each.
 *
 * @example
 * ```ts
 * import { sidesFromVersions } from "./select.ts";
 * console.log(() => sidesFromVersions("v1", "head", [])); // throws SelectionError when unmeasured
 * ```
 */
export function sidesFromVersions(
  beforeGiven: string,
  afterGiven: string,
  records: readonly SuiteRecord[],
): Sides {
  const commits = commitsOf(records);
  const before = commitName(beforeGiven, commits);
  const after = commitName(afterGiven, commits);
  const said = (v: string) => {
    const c = commits.get(v);
    return c ? `${v} ${commitTitle(c).slice(c.short.length + 1)}` : v;
  };
  const newestFirst = [...records].sort((x, y) => y.startedAt.localeCompare(x.startedAt));
  const has = (r: SuiteRecord, v: string) => r.samples.some((s) => s.version === v);
  const pick = (r: SuiteRecord, v: string) => setsOf(r, (s) => s.version === v);
  const both = newestFirst.find((r) => has(r, before) && has(r, after));
  if (both) {
    return {
      before: { title: before, sets: pick(both, before) },
      after: { title: after, sets: pick(both, after) },
      key: byBenchmark,
      description: `${said(before)} -> ${said(after)} in record ${both.id}`,
      records: [both],
    };
  }
  const ra = newestFirst.find((r) => has(r, before));
  const rb = newestFirst.find((r) => has(r, after));
  const missing = [!ra ? before : null, !rb ? after : null].filter((v) => v !== null);
  if (!ra || !rb) {
    throw new SelectionError(`no record has samples of ${missing.join(" or ")}`);
  }
  return {
    before: { title: before, sets: pick(ra, before) },
    after: { title: after, sets: pick(rb, after) },
    key: byBenchmark,
    description: `${said(before)} (record ${ra.id}) -> ${said(after)} (record ${rb.id})`,
    records: ra === rb ? [ra] : [ra, rb],
  };
}

/**
 * A commit version as typed (`git:` and any unique prefix of its sha, e.g. `git:2653b0b`) to
 * the name the records use; anything else unchanged.
 */
function commitName(given: string, commits: ReadonlyMap<string, unknown>): string {
  if (!given.startsWith("git:") || commits.has(given)) return given;
  const matches = [...commits.keys()].filter((name) => name.startsWith(given));
  if (matches.length > 1) {
    throw new SelectionError(`${given} is ambiguous: ${matches.join(", ")}`);
  }
  return matches[0] ?? given;
}

/**
 * Dispatch on what was typed: two existing record files, or two version names.
 * `readFile` returns the record at a path, `undefined` when no such file exists.
 *
 * @example
 * ```ts
 * import { selectSides } from "./select.ts";
 * console.log(typeof selectSides); // "function"
 * ```
 */
export function selectSides(
  a: string,
  b: string,
  records: readonly SuiteRecord[],
  readFile: (path: string) => SuiteRecord | undefined = () => undefined,
): Sides {
  const ra = readFile(a);
  const rb = readFile(b);
  if (ra && rb) return sidesFromRecords(ra, rb);
  if (ra || rb) {
    throw new SelectionError("give two record files or two version names, not one of each");
  }
  return sidesFromVersions(a, b, records);
}
