/**
 * Test support: a stand-in for a `ProbeRunner`'s `run` that returns performance
 * samples without spawning anything, each version at a speed of the test's choosing times a
 * fixed cycle of jitter, so that searches and comparisons can be tested quickly and
 * deterministically.
 *
 * @example
 * ```ts
 * import { fakeSampler } from "./fake_sampler.ts";
 * const { run, order } = fakeSampler({ old: 100, new: 80 }, { jitter: [1] });
 * const probe = { stressor: "mmap" as const, layout: "glibc", seed: 1, ops: 50, verify: false };
 * const sample = await run({ name: "new", folder: "new" }, probe);
 * console.log(sample.result?.opsPerSecond, order); // 80 [ "new" ]
 * ```
 *
 * @module
 */

import type { ProbeCase, ProbeRun, VersionRef } from "./runner.ts";

/** Options for {@linkcode fakeSampler}. */
export interface FakeSamplerOptions {
  /** Factors applied to the speed in turn, sample after sample (default: about ±3% over seven). */
  readonly jitter?: readonly number[];
  /** Versions whose every sample crashes. */
  readonly broken?: readonly string[];
}

/** About ±3% over a cycle of seven: the spread of fresh processes of the same code. */
const DEFAULT_JITTER = [0.97, 1.01, 0.99, 1.03, 1.0, 0.98, 1.02];

/**
 * A sampler with the given speeds (ops/s by version name); `order` lists the versions in the
 * order they were sampled.
 *
 * @example
 * ```ts
 * import { fakeSampler } from "./fake_sampler.ts";
 * const { run } = fakeSampler({ a: 100 }, { broken: ["b"] });
 * const probe = { stressor: "mmap" as const, layout: "glibc", seed: 1, ops: 5, verify: false };
 * console.log((await run({ name: "b", folder: "b" }, probe)).outcome); // crash
 * ```
 */
export function fakeSampler(
  speed: Readonly<Record<string, number>>,
  options: FakeSamplerOptions = {},
): { run: (version: VersionRef, probe: ProbeCase) => Promise<ProbeRun>; order: string[] } {
  const jitter = options.jitter ?? DEFAULT_JITTER;
  const broken = options.broken ?? [];
  let tick = 0;
  const order: string[] = [];
  const run = (version: VersionRef, probe: ProbeCase): Promise<ProbeRun> => {
    order.push(version.name);
    const spec = { version: version.name, ...probe };
    if (broken.includes(version.name)) {
      return Promise.resolve({
        spec,
        outcome: "crash",
        wallMs: 1,
        failure: { kind: "TypeError", message: "boom", frames: [], atOp: 3, operation: "mmap" },
      });
    }
    const opsPerSecond = speed[version.name] * jitter[tick++ % jitter.length];
    return Promise.resolve({
      spec,
      outcome: "pass",
      wallMs: 1,
      result: {
        spec,
        outcome: "pass",
        bogoOps: probe.ops,
        elapsedMs: 1,
        opsPerSecond,
        digest: "",
        layoutVmas: 30,
      },
    });
  };
  return { run, order };
}
