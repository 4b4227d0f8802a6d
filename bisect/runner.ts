/**
 * Runs probes, one child process each, under a time limit and a memory limit.
 *
 * A child is `deno run` on the probe entry (`workloads/probe_main.ts`) with V8's old space
 * capped, only read and env permissions, and a watchdog on its resident memory. Whatever
 * the child does (throws, loops, allocates without end, dies on a signal), the runner gets a
 * {@linkcode ProbeRun} back and carries on. Versions that do not type-check or load are
 * never spawned for probes: they come back as `skip`, as `git bisect skip` treats them.
 *
 * @example
 * ```ts
 * import { ProbeRunner } from "./runner.ts";
 * const runner = new ProbeRunner({ limits: { timeMs: 10_000, memoryMb: 256 } });
 * const run = await runner.run(
 *   { name: "head", folder: "core/head" },
 *   { stressor: "fork", layout: "cat-self", seed: 1, ops: 20, verify: true },
 * );
 * console.log(run.outcome, runner.probesRun);
 * ```
 *
 * @module
 */

import { join, resolve } from "node:path";
import type { Failure, Outcome, ProbeResult, ProbeSpec } from "../workloads/probe_types.ts";
import { killChild, sandboxedRun, spawnDeno, SUITE_ROOT } from "./child.ts";
import { classifyExit } from "./classify.ts";
import { nativeFailure } from "./native.ts";
import { type VersionCheck, VersionChecker } from "./version_check.ts";
import type { Replay } from "./journal.ts";

/** The suite's root folder, where the children run (see `child.ts`). */
export { SUITE_ROOT };

/** The probe entry point the runner spawns by default. */
export const PROBE_ENTRY: string = join(SUITE_ROOT, "workloads", "probe_main.ts");

/** A version as the runner sees it: a name to report and the folder that holds its `mod.ts`. */
export interface VersionRef {
  readonly name: string;
  readonly folder: string;
  /**
   * Puts `folder` in place before its first use (a git commit is archived into the cache,
   * see `core/loader.ts`), here in the parent, since probe children cannot run git. A search
   * touches few of a history's commits, so only those are ever materialised.
   */
  readonly materialise?: () => string;
}

/** Limits for one child. */
export interface ProbeLimits {
  /** Wall-clock limit; past it the child is killed and the probe is a hang. */
  readonly timeMs: number;
  /** V8 old-space limit in MB; the resident-memory watchdog allows this plus a fixed margin. */
  readonly memoryMb: number;
}

/** A probe without its version: what a matrix lists. */
export type ProbeCase = Omit<ProbeSpec, "version">;

/** One probe as it ran: the spec (with the version's name), the outcome and its evidence. */
export interface ProbeRun {
  /** The spec, with `version` set to the version's name rather than its folder. */
  readonly spec: ProbeSpec;
  readonly outcome: Outcome;
  /** Evidence for anything but `pass`. */
  readonly failure?: Failure;
  /** The child's result line, when it printed one (with `cpuMs` for a timed probe). */
  readonly result?: ProbeResult;
  /** Wall time of the child, measured by the parent. */
  readonly wallMs: number;
  /** Why a skipped version was skipped. */
  readonly skipReason?: string;
}

/** Options for {@linkcode ProbeRunner}. */
export interface RunnerOptions {
  readonly limits: ProbeLimits;
  /** Children running at once (default 1; performance runs must use 1). */
  readonly concurrency?: number;
  /** The probe entry to spawn (default {@linkcode PROBE_ENTRY}). */
  readonly probeEntry?: string;
  /** Called after every probe, e.g. for a progress line. */
  readonly onProbe?: (run: ProbeRun) => void;
  /** Shared type-check and load cache (default: a fresh one). */
  readonly checker?: VersionChecker;
  /** Finished probes of an interrupted run, returned instead of running them again. */
  readonly replay?: Replay;
  /** Called with every probe that finished here (not replayed), e.g. to journal it. */
  readonly onFinished?: (run: ProbeRun) => void;
  /**
   * Once aborted, no probe starts, children in flight are killed, and `run` throws
   * {@linkcode Interrupted}: a killed probe says nothing about its version, so it is dropped.
   */
  readonly signal?: AbortSignal;
}

/**
 * The run was interrupted (SIGINT, SIGTERM): what finished is kept, nothing more starts.
 *
 * @example
 * ```ts
 * import { Interrupted } from "./runner.ts";
 * console.log(new Interrupted("SIGINT").signal); // SIGINT
 * ```
 */
export class Interrupted extends Error {
  override name = "Interrupted";
  /** The signal that stopped the run. */
  readonly signal: string;
  /** @param signal the signal's name */
  constructor(signal: string) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
  }
}

/**
 * The probe entry refused the spec itself (exit code 2 and a `probe:` line): a fault of the
 * request, not of the version, and the same for every version, so the session must stop.
 *
 * @example
 * ```ts
 * import { ProbeSpecRejected } from "./runner.ts";
 * const refusal = new ProbeSpecRejected('probe: unknown layout "moon"');
 * console.log(refusal.name); // ProbeSpecRejected
 * ```
 */
export class ProbeSpecRejected extends Error {
  override name = "ProbeSpecRejected";
}

/** The failure kind a probe of a version that cannot be probed reports, by the stage that failed. */
const CHECK_FAILURE_KINDS = {
  materialise: "MaterialiseError",
  "type-check": "TypeCheckError",
  build: "BuildError",
  load: "LoadError",
} as const;

/** Resident memory the watchdog allows above the heap limit: Deno itself, code, buffers. */
const RSS_MARGIN_MB = 384;
/** How much of a child's output is kept; a version may print without end. */
const STDOUT_CAP = 1 << 22;
const STDERR_CAP = 1 << 16;

/**
 * Spawns probes with limits; see the module documentation.
 *
 * @example
 * ```ts
 * import { ProbeRunner } from "./runner.ts";
 * const runner = new ProbeRunner({ limits: { timeMs: 5_000, memoryMb: 128 }, concurrency: 2 });
 * const check = await runner.check({ name: "head", folder: "core/head" });
 * console.log(check.ok);
 * ```
 */
export class ProbeRunner {
  readonly limits: ProbeLimits;
  readonly probeEntry: string;
  readonly checker: VersionChecker;
  /** Probes finished so far, skips included. */
  probesRun = 0;
  readonly #onProbe: ((run: ProbeRun) => void) | undefined;
  readonly #concurrency: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #replay: Replay | undefined;
  readonly #onFinished: ((run: ProbeRun) => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #children = new Set<Deno.ChildProcess>();

  /** @param options limits, concurrency, entry point and progress hook */
  constructor(options: RunnerOptions) {
    this.limits = options.limits;
    this.#replay = options.replay;
    this.#onFinished = options.onFinished;
    this.#signal = options.signal;
    // Children in flight are killed at once: an hour-long bisect should stop within a second.
    this.#signal?.addEventListener("abort", () => {
      for (const child of this.#children) killChild(child);
    });
    this.probeEntry = resolve(options.probeEntry ?? PROBE_ENTRY);
    this.checker = options.checker ?? new VersionChecker({ limits: options.limits });
    this.#onProbe = options.onProbe;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
  }

  /** Whether a version can be materialised, type-checks and loads (cached per folder). */
  check(version: VersionRef): Promise<VersionCheck> {
    if (version.materialise) {
      try {
        version.materialise();
      } catch (error) {
        const reason = `cannot materialise: ${(error as Error).message.split("\n")[0]}`;
        return Promise.resolve({ ok: false, stage: "materialise", reason });
      }
    }
    return this.checker.check(version.folder);
  }

  /**
   * Run one probe of `version`; never throws for anything the child does, only
   * {@linkcode ProbeSpecRejected} when the probe entry refuses the spec.
   */
  async run(version: VersionRef, probe: ProbeCase): Promise<ProbeRun> {
    const spec: ProbeSpec = { version: version.name, ...probe };
    const replayed = this.#replay?.take(spec);
    if (replayed) return replayed;
    this.#stopIfAborted();
    const check = await this.check(version);
    if (!check.ok) {
      return this.#finish({
        spec,
        outcome: "skip",
        wallMs: 0,
        skipReason: check.reason,
        failure: {
          kind: CHECK_FAILURE_KINDS[check.stage],
          message: check.reason,
          frames: [],
          atOp: -1,
          operation: check.stage,
        },
      });
    }
    await this.#acquire();
    try {
      this.#stopIfAborted();
      return this.#finish(await this.#spawn(spec, { ...spec, version: version.folder }));
    } finally {
      this.#release();
    }
  }

  /** Run several probes, as many at once as the concurrency allows; results in input order. */
  runAll(items: readonly { version: VersionRef; probe: ProbeCase }[]): Promise<ProbeRun[]> {
    return Promise.all(items.map((item) => this.run(item.version, item.probe)));
  }

  #stopIfAborted(): void {
    if (this.#signal?.aborted) throw new Interrupted(String(this.#signal.reason ?? "SIGINT"));
  }

  #finish(run: ProbeRun): ProbeRun {
    this.#stopIfAborted();
    this.#onFinished?.(run);
    this.probesRun++;
    this.#onProbe?.(run);
    return run;
  }

  async #acquire(): Promise<void> {
    if (this.#active < this.#concurrency) {
      this.#active++;
      return;
    }
    await new Promise<void>((wake) => this.#waiting.push(wake));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else this.#active--;
  }

  async #spawn(reported: ProbeSpec, childSpec: ProbeSpec): Promise<ProbeRun> {
    const started = performance.now();
    const { timeMs, memoryMb } = this.limits;
    const child = spawnDeno(
      sandboxedRun(this.probeEntry, memoryMb, ["--spec", JSON.stringify(childSpec)]),
    );
    this.#children.add(child);

    let timedOut = false;
    let memoryExceeded = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killChild(child);
    }, timeMs);
    const watchdog = watchMemory(child.pid, memoryMb + RSS_MARGIN_MB, () => {
      memoryExceeded = true;
      killChild(child);
    });
    const [stdout, stderr, status] = await Promise.all([
      readCapped(child.stdout, STDOUT_CAP),
      readCapped(child.stderr, STDERR_CAP),
      child.status,
    ]);
    clearTimeout(timer);
    watchdog.stop();
    this.#children.delete(child);
    // Ctrl-C on a terminal reaches the whole process group: a child that died of it was not
    // judged, whichever of it and the parent's listener heard the signal first.
    if (status.signal === "SIGINT" || status.signal === "SIGTERM") {
      throw new Interrupted(status.signal);
    }
    this.#stopIfAborted();

    const refusal = /^probe: .*$/m.exec(stderr);
    if (status.code === 2 && !timedOut && !memoryExceeded && refusal && !stdout.trim()) {
      throw new ProbeSpecRejected(refusal[0]);
    }
    let classified = classifyExit(
      {
        code: status.signal ? null : status.code,
        signal: status.signal,
        timedOut,
        memoryExceeded,
        stdout,
        stderr,
      },
      timeMs,
      memoryMb,
    );
    // A kernel version's crash left native evidence: it names the outcome and the frames.
    const native = classified.result === undefined && !timedOut && !memoryExceeded
      ? await nativeFailure(stderr)
      : undefined;
    if (native) {
      classified = { outcome: native.outcome, failure: native.failure };
    }
    const run: ProbeRun = {
      spec: reported,
      outcome: classified.outcome,
      wallMs: performance.now() - started,
      ...(classified.failure ? { failure: classified.failure } : {}),
      ...(classified.result ? { result: { ...classified.result, spec: reported } } : {}),
    };
    return run;
  }
}

/** Read a stream to the end, keeping at most the last `cap` bytes. */
async function readCapped(stream: ReadableStream<Uint8Array>, cap: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.length;
    while (size > cap && chunks.length > 1) size -= chunks.shift()!.length;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(bytes.length > cap ? bytes.subarray(bytes.length - cap) : bytes);
}

/**
 * Poll `/proc/<pid>/status` and call `exceeded` once resident memory passes `limitMb`.
 * V8's heap limit catches JavaScript objects; this catches what lives outside the heap
 * (typed arrays, strings built natively). Where `/proc` is missing it quietly does nothing.
 */
function watchMemory(pid: number, limitMb: number, exceeded: () => void): { stop(): void } {
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      await new Promise((wake) => setTimeout(wake, 100));
      if (stopped) return;
      let status: string;
      try {
        status = await Deno.readTextFile(`/proc/${pid}/status`);
      } catch {
        return; // exited, or no /proc
      }
      const match = /VmRSS:\s+(\d+) kB/.exec(status);
      if (match && Number(match[1]) / 1024 > limitMb) {
        exceeded();
        return;
      }
    }
  };
  void poll();
  return {
    stop() {
      stopped = true;
    },
  };
}
