/**
 * Instruction counts of kernel versions over one generated operation stream: the stream is
 * written once per seed and scale, each version's replay driver is built beside its library,
 * and each version is counted under callgrind (the first one twice, to show the counts repeat).
 * TypeScript versions are refused: a JIT's instruction count says nothing stable.
 *
 * @example
 * ```ts
 * import { countVersions } from "./instructions.ts";
 * export const counts = () => countVersions(["kernel-6.1"], { seed: 1, scale: 0.05 });
 * ```
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { versionFolder, versionKind } from "../core/loader.ts";
import { cacheDir, readKernelConfig, resolveSource } from "../core/kernel/config.ts";
import { buildKernel, buildReplayDriver } from "../core/kernel/build.ts";
import { countInstructions, type InstructionCounts } from "../core/kernel/count.ts";
import { coreStream } from "./instruction_streams.ts";
import { type BenchRecord, buildRecord, type SampleSet } from "../results/record.ts";
import { INSTRUCTIONS_UNIT } from "../results/compare.ts";

/** A version refused for instruction counting, or one that cannot be counted (one line). */
export class InstructionMetricError extends Error {
  override name = "UsageError";
}

/** One version's counts. */
export interface VersionCounts {
  readonly version: string;
  readonly release: string;
  readonly counts: InstructionCounts;
  /** For the first version only: whether a second replay counted exactly the same. */
  readonly deterministic?: boolean;
}

/** What stream to replay. */
export interface StreamOptions {
  readonly seed: number;
  /** 1 is about 112,000 operations. */
  readonly scale: number;
  /** Count the first version twice to check the counts repeat (default true). */
  readonly checkFirst?: boolean;
}

/**
 * Write (once) the stream for `options` into the cache and return its path.
 *
 * @example
 * ```ts
 * import { streamFile } from "./instructions.ts";
 * console.log(streamFile({ seed: 1, scale: 0.01 }).endsWith(".txt")); // true
 * ```
 */
export function streamFile(options: StreamOptions): string {
  const dir = join(cacheDir(), "streams");
  Deno.mkdirSync(dir, { recursive: true });
  const path = join(dir, `core-seed${options.seed}-scale${options.scale}.txt`);
  try {
    Deno.statSync(path);
  } catch {
    const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
    Deno.writeTextFileSync(tmp, coreStream(options.seed, options.scale));
    Deno.renameSync(tmp, path);
  }
  return path;
}

/**
 * Count each version (kernel versions only) over the same stream.
 *
 * @example
 * ```ts
 * import { countVersions } from "./instructions.ts";
 * export const two = () => countVersions(["kernel-6.1", "kernel-6.12"], { seed: 1, scale: 0.1 });
 * ```
 */
export async function countVersions(
  versions: readonly string[],
  options: StreamOptions,
): Promise<VersionCounts[]> {
  const folders = versions.map((v) => {
    const folder = versionFolder(v);
    if (versionKind(folder) !== "kernel") {
      throw new InstructionMetricError(
        `${v} is a TypeScript version: instruction counts are for C versions (a JIT's counts ` +
          `change from run to run); use time for it`,
      );
    }
    return folder;
  });
  const stream = streamFile(options);
  const results: VersionCounts[] = [];
  for (const [i, version] of versions.entries()) {
    const build = await buildKernel(resolveSource(readKernelConfig(folders[i]), folders[i]));
    if (!build.ok) throw new InstructionMetricError(`${version} does not build: ${build.error}`);
    const driver = await buildReplayDriver(build);
    // Counts are kept beside the driver: the same build and stream always count the same.
    const saved = join(dirname(driver), `counts-${basename(stream)}.json`);
    const check = i === 0 && options.checkFirst !== false;
    let counts: InstructionCounts;
    try {
      if (check) throw new Error("counted afresh for the check");
      counts = JSON.parse(Deno.readTextFileSync(saved)) as InstructionCounts;
    } catch {
      counts = await countInstructions(driver, stream);
    }
    let deterministic: boolean | undefined;
    if (check) {
      const again = await countInstructions(driver, stream);
      deterministic = JSON.stringify(again) === JSON.stringify(counts);
    }
    Deno.writeTextFileSync(saved, JSON.stringify(counts));
    results.push({
      version,
      release: build.release,
      counts,
      ...(deterministic === undefined ? {} : { deterministic }),
    });
  }
  return results;
}

/**
 * A bench record of instruction counts: one figure per version and operation kind
 * (`instructions/store`, ...) and the total, in the unit `instructions`, so compare, history
 * and report read counts beside times; the determinism check is a verdict.
 *
 * @example
 * ```ts
 * import { instructionRecord } from "./instructions.ts";
 * const counts = { total: 10, byKind: { store: 10 } };
 * const record = instructionRecord(
 *   [{ version: "kernel-6.1", release: "6.1.192", counts, deterministic: true }],
 *   { seed: 1, scale: 1 },
 *   new Date(0),
 * );
 * console.log(record.samples.map((s) => s.benchmark)); // [ "instructions/store", "instructions/total" ]
 * ```
 */
export function instructionRecord(
  results: readonly VersionCounts[],
  options: StreamOptions,
  startedAt: Date,
): BenchRecord {
  const samples: SampleSet[] = results.flatMap((r) => [
    ...Object.entries(r.counts.byKind).map(([kind, n]) => figure(`instructions/${kind}`, r, n)),
    figure("instructions/total", r, r.counts.total),
  ]);
  const first = results[0];
  const cases = [...new Set(samples.map((s) => s.benchmark))];
  return buildRecord({
    kind: "bench",
    startedAt,
    versions: results.map((r) => ({ name: r.version, hash: null })),
    parameters: {
      metric: "instructions",
      stream: `core stream, seed ${options.seed}, scale ${options.scale}`,
      counter: "valgrind --tool=callgrind, inclusive cost of each op_ function of maple-replay",
      releases: Object.fromEntries(results.map((r) => [r.version, r.release])),
    },
    seeds: [options.seed],
    samples,
    verdicts: [{
      subject: "determinism",
      verdict: first.deterministic ? "pass" : "fail",
      version: first.version,
      summary: first.deterministic
        ? `${first.version} counted twice over the same stream: identical counts`
        : `${first.version} counted twice over the same stream: the counts differ`,
      evidence: { total: first.counts.total },
    }],
    body: {
      harness: "valgrind-callgrind",
      quick: false,
      cases: cases.map((name) => ({ name, group: "instructions", unit: INSTRUCTIONS_UNIT })),
    },
  });
}

function figure(benchmark: string, r: VersionCounts, n: number): SampleSet {
  return { benchmark, version: r.version, unit: INSTRUCTIONS_UNIT, better: "lower", values: [n] };
}
