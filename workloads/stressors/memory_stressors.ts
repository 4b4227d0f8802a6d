/**
 * The memory-map stressors: mmap, munmap, mprotect, mremap and brk, each turning stress-ng's
 * loop (notes §3) into primitive operations on the simulated mm.
 *
 * @example
 * ```ts
 * import { MEMORY_STRESSORS } from "./memory_stressors.ts";
 * console.log(MEMORY_STRESSORS.map((s) => s.name).join(" ")); // mmap munmap mprotect mremap brk
 * ```
 *
 * @module
 */

import type { Mwc } from "../prng.ts";
import {
  ADVICE_FLAGS,
  isFileBacked,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  type Vma,
  VmFlag,
  type VmFlagName,
} from "../vma.ts";
import type { Stressor } from "./types.ts";

const RW = PROT_READ | PROT_WRITE;

function randomAdvice(rng: Mwc): VmFlagName {
  return rng.pick(ADVICE_FLAGS);
}

/**
 * mmap: one full cycle over a region of `mmapPages` pages: map it with a random advice, unmap
 * every page in random order (each after a random advice), map every page back with
 * MAP_FIXED or MAP_FIXED_NOREPLACE in random order (each then advised at random, so
 * neighbours rarely merge), and unmap the pages one by one.
 */
export const mmapStressor: Stressor = {
  name: "mmap",
  bogoOp: "one map/unmap/remap/unmap cycle",
  start({ run, rng, options }) {
    const pages = options.mmapPages;
    const length = pages * PAGE_SIZE;
    return () => {
      const hint = rng.chance(0.5) ? undefined : 0x7fff_ffff_e000;
      const base = run({ op: "mmap", addr: hint, length, prot: RW });
      if (typeof base !== "number") return 0;
      run({ op: "madvise", addr: base, length, flag: randomAdvice(rng), set: true });
      const order = rng.shuffle([...Array(pages).keys()]);
      for (const page of order) {
        const addr = base + page * PAGE_SIZE;
        run({ op: "madvise", addr, length: PAGE_SIZE, flag: randomAdvice(rng), set: true });
        run({ op: "munmap", addr, length: PAGE_SIZE });
      }
      for (const page of rng.shuffle(order)) {
        const addr = base + page * PAGE_SIZE;
        const noReplace = rng.chance(0.5);
        run({ op: "mmap", addr, length: PAGE_SIZE, prot: RW, fixed: !noReplace, noReplace });
        const flag = randomAdvice(rng);
        run({ op: "madvise", addr, length: PAGE_SIZE, flag, set: rng.chance(0.75) });
      }
      for (let page = 0; page < pages; page++) {
        run({ op: "munmap", addr: base + page * PAGE_SIZE, length: PAGE_SIZE });
      }
      return 1;
    };
  },
};

function smallestPrimeAbove(n: number): number {
  for (let candidate = n + 1;; candidate++) {
    let prime = candidate > 1;
    for (let d = 2; d * d <= candidate && prime; d++) if (candidate % d === 0) prime = false;
    if (prime) return candidate;
  }
}

/** munmap's targets: readable, non-executable file mappings other than libc and specials. */
function munmapTargets(vmas: readonly Vma[]): Vma[] {
  return vmas.filter((v) =>
    isFileBacked(v) && (v.prot & PROT_READ) !== 0 && (v.prot & PROT_EXEC) === 0 &&
    !v.path.includes("libc") && (v.flags & VmFlag.special) === 0
  );
}

/**
 * munmap: each one-page unmap, plus one per completed child pass. A forked child unmaps the
 * pages of every eligible file mapping with a prime stride above its page count, then exits.
 */
export const munmapStressor: Stressor = {
  name: "munmap",
  bogoOp: "one page unmapped (plus one per child pass)",
  start({ run, processes }) {
    let pending: number[] = [];
    let child = -1;
    return () => {
      if (child < 0) {
        run({ op: "fork" });
        child = processes.children.length - 1;
        for (const vma of munmapTargets(processes.children[child].vmas())) {
          const pages = (vma.end - vma.start) / PAGE_SIZE;
          const stride = smallestPrimeAbove(pages);
          let j = 0;
          for (let n = 0; n < pages; n++) {
            j = (j + stride) % pages;
            pending.push(vma.start + j * PAGE_SIZE);
          }
        }
        pending.reverse();
      }
      const addr = pending.pop();
      if (addr === undefined) {
        run({ op: "exit", target: child });
        child = -1;
        pending = [];
        return 1;
      }
      return run({ op: "munmap", target: child, addr, length: PAGE_SIZE }) === undefined ? 1 : 0;
    };
  },
};

const PROTS = [0, PROT_READ, PROT_WRITE, RW, PROT_EXEC, PROT_READ | PROT_EXEC, RW | PROT_EXEC];

/**
 * mprotect: each successful mprotect of a random sub-range of a 4-page MAP_SHARED anonymous
 * region, by one of `mprotectActors` processes (the worker and its forked helpers, each with
 * its own mm after the fork).
 */
export const mprotectStressor: Stressor = {
  name: "mprotect",
  bogoOp: "one successful mprotect",
  start({ run, rng, options }) {
    const base = run({ op: "mmap", length: 4 * PAGE_SIZE, prot: RW, shared: true });
    if (typeof base !== "number") throw new Error(`mprotect setup could not map: ${base}`);
    for (let i = 1; i < options.mprotectActors; i++) run({ op: "fork" });
    return () => {
      const actor = rng.below(options.mprotectActors);
      const page = rng.below(4);
      const pages = 1 + rng.below(4 - page);
      const result = run({
        op: "mprotect",
        target: actor === 0 ? undefined : actor - 1,
        addr: base + page * PAGE_SIZE,
        length: pages * PAGE_SIZE,
        prot: rng.pick(PROTS),
      });
      return result === undefined ? 1 : 0;
    };
  },
};

/**
 * mremap: one cycle: map `mremapPages` pages, halve the mapping with mremap down to one page
 * and double it back, each resize may-move and, at random, to a fixed address found by a
 * temporary map and unmap; then unmap it.
 */
export const mremapStressor: Stressor = {
  name: "mremap",
  bogoOp: "one shrink-and-grow cycle",
  start({ run, rng, options }) {
    const full = options.mremapPages * PAGE_SIZE;
    const resize = (addr: number, from: number, to: number): number | undefined => {
      let newAddr: number | undefined;
      if (rng.chance(0.5)) {
        const probe = run({ op: "mmap", length: to, prot: RW });
        if (typeof probe === "number") {
          run({ op: "munmap", addr: probe, length: to });
          newAddr = probe;
        }
      }
      const moved = run({
        op: "mremap",
        addr,
        oldLength: from,
        newLength: to,
        mayMove: true,
        newAddr,
      });
      return typeof moved === "number" ? moved : undefined;
    };
    return () => {
      let addr = run({ op: "mmap", length: full, prot: RW });
      if (typeof addr !== "number") return 0;
      run({ op: "madvise", addr, length: full, flag: randomAdvice(rng), set: true });
      let size = full;
      while (size > PAGE_SIZE) {
        const next = Math.max(PAGE_SIZE, Math.floor(size / 2 / PAGE_SIZE) * PAGE_SIZE);
        const moved = resize(addr, size, next);
        if (moved === undefined) break;
        addr = moved;
        size = next;
      }
      while (size < full) {
        const next = Math.min(full, size * 2);
        const moved = resize(addr, size, next);
        if (moved === undefined) break;
        addr = moved;
        size = next;
      }
      run({ op: "munmap", addr, length: size });
      return 1;
    };
  },
};

/**
 * brk: each successful brk step of a 10-step cycle: seven one-page expansions, a no-op brk,
 * a one-page shrink, then (not counted) an munmap of the first page grown this cycle, which
 * leaves a chain of heap pieces. ENOMEM (the map count limit) resets the break to its start.
 */
export const brkStressor: Stressor = {
  name: "brk",
  bogoOp: "one successful brk step",
  start({ run, processes }) {
    let step = 0;
    let firstGrown = 0;
    return () => {
      const mm = processes.parent;
      const current = mm.brkEnd;
      const phase = step++ % 10;
      let result;
      if (phase < 7) {
        if (phase === 0) firstGrown = current;
        result = run({ op: "brk", addr: current + PAGE_SIZE });
      } else if (phase === 7) {
        result = run({ op: "brk", addr: current });
      } else if (phase === 8) {
        result = run({ op: "brk", addr: current - PAGE_SIZE });
      } else {
        result = run({ op: "munmap", addr: firstGrown, length: PAGE_SIZE });
        if (result !== undefined) run({ op: "brk", addr: mm.startBrk });
        return 0;
      }
      if (typeof result === "string") {
        run({ op: "brk", addr: mm.startBrk });
        step = 0;
        return 0;
      }
      return 1;
    };
  },
};

/** The memory stressors. */
export const MEMORY_STRESSORS: readonly Stressor[] = [
  mmapStressor,
  munmapStressor,
  mprotectStressor,
  mremapStressor,
  brkStressor,
];
