/**
 * The process stressors: fork, vfork, clone, forkheavy and mmapfork. Their work on the
 * address space is duplication and teardown of the whole tree; what differs is the tree
 * (clone adds a big populated region, forkheavy thousands of unmergeable mappings) and how
 * many children live at once.
 *
 * A child that exits tears its mm down at once; stress-ng's zombies awaiting a reap hold no
 * mm, so the simulation reaps at exit.
 *
 * @example
 * ```ts
 * import { PROCESS_STRESSORS } from "./process_stressors.ts";
 * console.log(PROCESS_STRESSORS.map((s) => s.name).join(" ")); // fork vfork clone forkheavy mmapfork
 * ```
 *
 * @module
 */

import type { CloneOp, ForkOp } from "../operations.ts";
import { ADVICE_FLAGS, PAGE_SIZE, PROT_READ, PROT_WRITE } from "../vma.ts";
import type { Stressor, StressorContext, StressorStep } from "./types.ts";

const RW = PROT_READ | PROT_WRITE;

/**
 * The bogo op of clone and forkheavy: one child made with `birth` (a full copy of the mm
 * either way) and reaped at once, its own work touching no mapping.
 */
function childReaped(run: StressorContext["run"], birth: ForkOp | CloneOp): StressorStep {
  return () => {
    run(birth);
    run({ op: "exit" });
    return 1;
  };
}

/** fork: one child created with fork() and reaped. */
export const forkStressor: Stressor = {
  name: "fork",
  bogoOp: "one child forked and reaped",
  start({ run, options }) {
    return () => {
      for (let i = 0; i < options.forkMax; i++) run({ op: "fork" });
      for (let i = 0; i < options.forkMax; i++) run({ op: "exit" });
      return options.forkMax;
    };
  },
};

/** vfork: one child on the shared mm, reaped; no tree work (the harness baseline). */
export const vforkStressor: Stressor = {
  name: "vfork",
  bogoOp: "one vfork child reaped",
  start({ run }) {
    return () => {
      run({ op: "vfork" });
      return 1;
    };
  },
};

/** clone: one successful clone without CLONE_VM (stress-ng never shares the mm here). */
export const cloneStressor: Stressor = {
  name: "clone",
  bogoOp: "one successful clone",
  start({ run, options }) {
    run({ op: "mmap", length: options.cloneRegionPages * PAGE_SIZE, prot: RW });
    return childReaped(run, { op: "clone", shared: false });
  },
};

/**
 * forkheavy: one fork of a worker that first allocated resources: per round a one-page
 * MAP_SHARED memfd mapping with probability 1/5 and a two-page anonymous mapping with random
 * advice with probability 1/16 (other resources are not mappings), ~4,300 VMAs for the
 * default 16,384 rounds, as measured on stress-ng's worker.
 */
export const forkheavyStressor: Stressor = {
  name: "forkheavy",
  bogoOp: "one fork of the resource-heavy worker",
  start({ run, rng, options }) {
    for (let round = 0; round < options.forkheavyAllocs; round++) {
      if (rng.below(5) === 0) {
        run({
          op: "mmap",
          length: PAGE_SIZE,
          prot: RW,
          shared: true,
          path: `/memfd:stress-ng-forkheavy-${round} (deleted)`,
        });
      }
      if (rng.below(16) === 0) {
        run({ op: "mmap", length: 2 * PAGE_SIZE, prot: RW, flags: [rng.pick(ADVICE_FLAGS)] });
      }
    }
    return childReaped(run, { op: "fork" });
  },
};

/** mmapfork: one round of children that each map a big shared region, drop it and exit. */
export const mmapforkStressor: Stressor = {
  name: "mmapfork",
  bogoOp: "one round of 32 children",
  start({ run, options, processes }) {
    run({ op: "mmap", length: PAGE_SIZE, prot: RW, flags: ["wipeonfork"] });
    return () => {
      const first = processes.children.length;
      for (let i = 0; i < options.mmapforkChildren; i++) {
        run({ op: "fork" });
        const child = first + i;
        const length = options.mmapforkPages * PAGE_SIZE;
        const addr = run({ op: "mmap", target: child, length, prot: RW, shared: true });
        if (typeof addr === "number") run({ op: "munmap", target: child, addr, length });
      }
      for (let i = 0; i < options.mmapforkChildren; i++) run({ op: "exit" });
      return 1;
    };
  },
};

/** The process stressors in stress-ng's order. */
export const PROCESS_STRESSORS: readonly Stressor[] = [
  forkStressor,
  vforkStressor,
  cloneStressor,
  forkheavyStressor,
  mmapforkStressor,
];
