/**
 * `deno task probe`: probe one version and answer as `git bisect run` expects, so users can
 * bisect their own git history of a version folder:
 *
 *   git bisect start <bad-commit> <good-commit>
 *   git bisect run deno task probe --version head
 *
 * Crash mode (default) runs the crash matrix (or the probes you name); performance mode
 * (`--baseline V`) measures this version against a baseline folder, interleaved in fresh
 * processes, and calls it bad when it is significantly slower beyond the threshold.
 *
 * Exit codes (those of `git bisect run`):
 *   0    good: every probe passes (or, with --baseline, not significantly slower)
 *   1    bad: a probe crashed, hung, ran out of memory, broke an invariant, answered wrong
 *        or leaked (or, with --baseline, significantly slower beyond the threshold)
 *   125  skip: the version does not type-check or does not load
 *   128  bad arguments or an internal error: aborts `git bisect run` instead of
 *        marking the commit
 *
 * @example
 * ```ts
 * // deno task probe --version v3 --layout python3-self --seed 1
 * import { probeMain } from "./probe.ts";
 * console.log(typeof probeMain); // function
 * ```
 *
 * @module
 */

import { MANIFEST_PATH, readManifest, versionFolder } from "../core/loader.ts";
import { staleVersions, warnStale } from "./stale_versions.ts";
import { countVersions } from "../bench/instructions.ts";
import { largestRise } from "../bisect/instruction_search.ts";
import {
  buildSettings,
  compareVersions,
  DEFAULT_SAMPLES,
  formatProgress,
  isFailure,
  metricName,
  probeLabel,
  ProbeRunner,
  reproduceCommand,
  robotTable,
  UsageError,
  type VersionRef,
} from "../bisect/mod.ts";
import { defineCommand, type ParsedCommand, runCommand } from "./cli.ts";
import { checkLayout, PROBE_FLAGS, probePlanArgs } from "./probe_flags.ts";

const HELP = `usage: deno task probe [--version V] [options]

Probes one version; the exit code follows git bisect run (0 good, 1 bad, 125 skip).

  --version V           version name from the manifest, a folder holding mod.ts, or
                        git:REV, the folder as it was at a commit (MAPLE_GIT_REPO and
                        MAPLE_GIT_PATH name another repository or folder; default head)
  --manifest PATH       manifest that names the versions (default core/manifest.json)
  --strict          refuse a frozen version edited since it was frozen (default: warn)
  --stressor NAME       workload, repeatable (default fork)
  --layout L            layout, repeatable (default: the bisect's crash layouts)
  --seed N              seed, repeatable (default 1 and 2)
  --ops N               bogo ops per probe (default 20)
  --no-verify           do not validate and compare after every op
  --shape-oracle V      also compare each write's height and node census with version
                        V's (e.g. kernel-6.1): a tree that grows differently fails
  --repeat N            run every probe N times; bad if any run fails (default 1)
  --baseline V          performance mode: bad when significantly slower than V
  --metric M            with --baseline: time (default) or instructions (kernel versions
                        only; bad when an operation kind executes more than --threshold,
                        default 1% here, more instructions than on V; one counted run each)
  --perf-stressor NAME  performance workload (default mmap)
  --perf-layout L       performance layout (default fragmented)
  --perf-ops N          bogo ops per sample (default 2500)
  --samples N           samples per version (default 10)
  --threshold PCT       slowdown that counts (default 10%)
  --alpha P             significance level (default 0.01)
  --time-limit MS       time limit per probe (default 20000)
  --memory-limit MB     V8 heap limit per child (default 256)
  --jobs N              probes at once in crash mode (default 2)
  --clock C             perf figures per second of cpu time (default) or wall time
  --json                one JSON line per probe instead of text
  -h, --help            this text

exit codes: 0 good, 1 bad, 125 skip (does not type-check or load),
            128 bad arguments or internal error (aborts git bisect run)`;

/**
 * Exit codes of the command.
 *
 * @example
 * ```ts
 * import { PROBE_EXIT } from "./probe.ts";
 * console.log(PROBE_EXIT.skip); // 125
 * ```
 */
export const PROBE_EXIT = { good: 0, bad: 1, skip: 125, abort: 128 } as const;

const COMMAND = defineCommand({
  name: "probe",
  help: HELP,
  options: {
    ...PROBE_FLAGS,
    version: { type: "string", default: "head" },
    repeat: { type: "string" },
    baseline: { type: "string" },
    metric: { type: "string", default: "time" },
    json: { type: "boolean", default: false },
  },
  // Bad input must not mark the commit: 128 makes git bisect run stop.
  conventions: {
    usageExit: PROBE_EXIT.abort,
    internalExit: PROBE_EXIT.abort,
    internalStack: true,
    parseHint: " (see --help)",
  },
});

/**
 * Run the command with `args`; returns the exit code.
 *
 * @example
 * ```ts
 * import { probeMain } from "./probe.ts";
 * Deno.exitCode = await probeMain(["--version", "head", "--layout", "cat-self", "--seed", "1"]);
 * ```
 */
export function probeMain(args: readonly string[]): Promise<number> {
  return runCommand(COMMAND, args, probe);
}

async function probe({ values }: ParsedCommand<typeof COMMAND.options>): Promise<number> {
  const manifest = readManifest(values.manifest ?? MANIFEST_PATH);
  const resolveVersion = (name: string): VersionRef => {
    try {
      return { name, folder: versionFolder(name, manifest) };
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const version = resolveVersion(values.version);
  const baseline = values.baseline === undefined ? undefined : resolveVersion(values.baseline);
  const names = [values.version, ...(values.baseline === undefined ? [] : [values.baseline])];
  warnStale("probe", staleVersions(names, values.manifest), values.strict);
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isSafeInteger(repeat) || repeat < 1) {
    throw new UsageError(`--repeat wants an integer >= 1, got "${values.repeat}"`);
  }
  const plan = buildSettings(
    { mode: baseline ? "perf" : "crash", ...probePlanArgs(values) },
    checkLayout,
  );
  if (values.metric !== "time" && values.metric !== "instructions") {
    throw new UsageError(`unknown --metric "${values.metric}" (want time or instructions)`);
  }
  if (values.metric === "instructions") {
    if (!baseline) throw new UsageError("--metric instructions goes with --baseline V");
    const threshold = values.threshold === undefined ? 0.01 : plan.threshold ?? 0.01;
    const stream = { seed: 1, scale: 0.2 };
    let counts;
    try {
      counts = await countVersions([baseline.folder, version.folder], stream);
    } catch (error) {
      throw new UsageError(
        (error as Error).message.replace(baseline.folder, baseline.name)
          .replace(version.folder, version.name),
      );
    }
    const rise = largestRise(counts[0].counts, counts[1].counts);
    const slower = rise.change > threshold;
    console.log(
      `${slower ? "bad" : "good"}: ${rise.kind} ${rise.before.toLocaleString("en-US")} -> ` +
        `${rise.after.toLocaleString("en-US")} instructions (${(rise.change * 100).toFixed(2)}%) ` +
        `against ${baseline.name}, threshold ${(threshold * 100).toFixed(2)}%` +
        (counts[0].deterministic ? "" : "; the baseline's counts did not repeat"),
    );
    return slower ? PROBE_EXIT.bad : PROBE_EXIT.good;
  }

  const limits = plan.crashLimits!;
  const started = performance.now();
  const total = baseline ? 2 * (plan.samples ?? DEFAULT_SAMPLES) : plan.crashMatrix.length * repeat;
  const terminal = Deno.stderr.isTerminal() && !values.json;
  const encoder = new TextEncoder();
  let done = 0;
  const runner = new ProbeRunner({
    limits: baseline ? { ...limits, timeMs: Math.max(limits.timeMs, 30_000) } : limits,
    concurrency: baseline ? 1 : plan.concurrency ?? 2,
    ...(plan.probeEntry ? { probeEntry: plan.probeEntry } : {}),
    onProbe: () => {
      done++;
      if (!terminal) return;
      const line = formatProgress({
        mode: baseline ? "perf" : "crash",
        done,
        estimate: total,
        elapsedMs: performance.now() - started,
      });
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${line}`));
    },
  });
  const clearProgress = () => terminal && Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));

  for (const v of baseline ? [version, baseline] : [version]) {
    const check = await runner.check(v);
    if (!check.ok) {
      clearProgress();
      const who = v === version ? "" : `baseline ${v.name} `;
      console.log(`skip: ${who}${check.reason}`);
      return v === version ? PROBE_EXIT.skip : PROBE_EXIT.abort;
    }
  }

  if (baseline) {
    const comparison = await compareVersions(baseline, version, {
      probe: plan.perfProbe,
      run: (v, p) => runner.run(v, p),
      samples: plan.samples ?? DEFAULT_SAMPLES,
      threshold: plan.threshold ?? 0.1,
      alpha: plan.alpha ?? 0.01,
      clock: plan.clock ?? "cpu",
    });
    clearProgress();
    if (values.json) console.log(JSON.stringify(comparison));
    else {console.log(
        robotTable(comparison, metricName(plan.perfProbe.stressor, plan.clock ?? "cpu")).join(
          "\n",
        ),
      );}
    if (comparison.verdict === "broken") {
      const failed = comparison.failure!;
      console.log(`bad: ${failed.spec.version} ${failed.outcome} under the perf workload`);
      return failed.spec.version === version.name ? PROBE_EXIT.bad : PROBE_EXIT.abort;
    }
    const slower = comparison.verdict === "slower";
    console.log(
      `${slower ? "bad" : "good"}: ${(comparison.change * 100).toFixed(1)}% against ` +
        `${baseline.name} (one-sided p=${comparison.p.toPrecision(2)})`,
    );
    return slower ? PROBE_EXIT.bad : PROBE_EXIT.good;
  }

  const cases = plan.crashMatrix.flatMap((probe) => Array.from({ length: repeat }, () => probe));
  const runs = await Promise.all(cases.map((probe) => runner.run(version, probe)));
  clearProgress();
  for (const run of runs) {
    if (values.json) {
      console.log(JSON.stringify(run));
      continue;
    }
    const vmas = run.result ? `${run.result.layoutVmas} VMAs, ` : "";
    console.log(
      `${run.outcome.padEnd(7)} ${probeLabel(run.spec)} (${vmas}${Math.round(run.wallMs)} ms)`,
    );
    if (isFailure(run) && run.failure) {
      console.log(`        ${run.failure.kind}: ${run.failure.message}`);
      for (const frame of run.failure.frames.slice(0, 3)) console.log(`          at ${frame}`);
      console.log(
        `        reproduce: ${reproduceCommand({ ...run.spec, version: version.name })}`,
      );
    }
  }
  const failing = runs.filter(isFailure);
  if (failing.length > 0) {
    console.log(`bad: ${failing.length} of ${runs.length} probes of ${version.name} fail`);
    return PROBE_EXIT.bad;
  }
  console.log(`good: ${runs.length} probes of ${version.name} pass`);
  return PROBE_EXIT.good;
}

if (import.meta.main) Deno.exit(await probeMain(Deno.args));
