/**
 * Seeded layout generators: address spaces shaped like the ones real programs have, built
 * from the same ingredients /proc/PID/maps shows (executable and library segments, heap,
 * anonymous regions, thread stacks, stack, vdso/vvar), plus a fragmented and a random kind.
 *
 * Every generator returns sorted, non-overlapping VMAs, and no two touching VMAs that a real
 * kernel would already have merged.
 *
 * @example
 * ```ts
 * import { Mwc } from "../prng.ts";
 * import { glibcLayout } from "./generators.ts";
 * const vmas = glibcLayout(new Mwc(7), {});
 * console.log(vmas.length > 30, vmas.some((v) => v.name === "[heap]")); // true true
 * ```
 *
 * @module
 */

import type { Mwc } from "../prng.ts";
import {
  ADVICE_FLAGS,
  canMerge,
  hex,
  makeVma,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
  type Vma,
  type VmaInit,
  VmFlag,
} from "../vma.ts";
import { MMAP_MIN_ADDR, TASK_SIZE } from "../mm.ts";

/** Numeric tunables of a generator, as given after the colon: `random:vmas=500,gap=0.5`. */
export type GeneratorParams = Readonly<Record<string, number>>;

const R = PROT_READ;
const RW = PROT_READ | PROT_WRITE;
const RX = PROT_READ | PROT_EXEC;

const LIBRARY_NAMES = [
  "libc.so.6",
  "libm.so.6",
  "libpthread.so.0",
  "libdl.so.2",
  "libtinfo.so.6",
  "libselinux.so.1",
  "libpcre2-8.so.0",
  "libz.so.1",
  "libcrypto.so.3",
  "libssl.so.3",
  "libstdc++.so.6",
  "libgcc_s.so.1",
];

/**
 * The range and default of one numeric tunable of a generator.
 *
 * @example
 * ```ts
 * import type { Tunable } from "./generators.ts";
 * const vmas: Tunable = { fallback: 200, min: 1, max: 1_000_000, integer: true };
 * ```
 */
export interface Tunable {
  /** The value when the tunable is not given. */
  readonly fallback: number;
  readonly min: number;
  readonly max: number;
  /** Counts, pages and addresses: a fraction would be rounded away without a word. */
  readonly integer: boolean;
  /** Show the range in hex (addresses). */
  readonly hex?: boolean;
}

/** A million VMAs or pages take about a second to build; more is a typo, not a workload. */
const MAX_COUNT = 1_000_000;
/** Enough threads or libraries to fill the mmap area well before it reaches the executable. */
const MAX_OBJECTS = 10_000;

const COUNT = (fallback: number, min = 1): Tunable => ({
  fallback,
  min,
  max: MAX_COUNT,
  integer: true,
});
const OBJECTS = (fallback: number): Tunable => ({
  fallback,
  min: 0,
  max: MAX_OBJECTS,
  integer: true,
});
const CHANCE = (fallback: number): Tunable => ({ fallback, min: 0, max: 1, integer: false });

/**
 * Every tunable each generator takes, with its default and allowed range; `resolveLayout`
 * refuses any other key and any value out of range.
 *
 * @example
 * ```ts
 * import { GENERATOR_TUNABLES } from "./generators.ts";
 * console.log(Object.keys(GENERATOR_TUNABLES.glibc)); // ["libs", "threads"]
 * ```
 */
export const GENERATOR_TUNABLES: Readonly<
  Record<string, Readonly<Record<string, Tunable>>>
> = {
  glibc: { libs: OBJECTS(4), threads: OBJECTS(2) },
  "many-libs": { libs: OBJECTS(200), threads: OBJECTS(8) },
  fragmented: { pages: COUNT(20_000), gaps: COUNT(7, 0) },
  random: {
    vmas: COUNT(200),
    align: { fallback: 1, min: 1, max: 262_144, integer: true }, // up to 1 GiB
    maxPages: COUNT(16),
    gap: CHANCE(0.3),
    maxGap: { fallback: 64, min: 1, max: 1_000_000_000, integer: true },
    dontcopy: CHANCE(0.02),
    base: {
      fallback: 0x4000_0000,
      min: MMAP_MIN_ADDR,
      max: TASK_SIZE - PAGE_SIZE,
      integer: true,
      hex: true,
    },
  },
};

function showBound(value: number, tunable: Tunable): string {
  return tunable.hex ? `0x${hex(value)}` : String(value);
}

/**
 * Why `generator` cannot take tunable `key` = `value` (`text` as the user wrote it), or
 * `undefined` when it can.
 *
 * @example
 * ```ts
 * import { tunableProblem } from "./generators.ts";
 * console.log(tunableProblem("random", "vmas", -1, "-1"));
 * // vmas wants an integer from 1 to 1000000, got "-1"
 * console.log(tunableProblem("random", "vmas", 50, "50")); // undefined
 * ```
 */
export function tunableProblem(
  generator: string,
  key: string,
  value: number,
  text: string,
): string | undefined {
  const tunables = GENERATOR_TUNABLES[generator] ?? {};
  const tunable = Object.hasOwn(tunables, key) ? tunables[key] : undefined;
  if (!tunable) {
    const keys = Object.keys(tunables);
    const takes = keys.length > 0
      ? `${generator} takes ${keys.join(", ")}`
      : `${generator} takes none`;
    return `unknown tunable "${key}" (${takes})`;
  }
  const { min, max, integer } = tunable;
  if ((integer && !Number.isInteger(value)) || !(value >= min && value <= max)) {
    const kind = integer ? "an integer" : "a number";
    const range = `from ${showBound(min, tunable)} to ${showBound(max, tunable)}`;
    return `${key} wants ${kind} ${range}, got "${text}"`;
  }
  return undefined;
}

/**
 * Why the tunables of `generator`, each in range, still make no layout together, or
 * `undefined` when they do: a random layout must end below the user address space.
 *
 * @example
 * ```ts
 * import { layoutProblem } from "./generators.ts";
 * console.log(layoutProblem("random", { vmas: 10 })); // undefined
 * console.log(layoutProblem("random", { maxGap: 1e9, align: 262144 }) !== undefined); // true
 * ```
 */
export function layoutProblem(generator: string, params: GeneratorParams): string | undefined {
  if (generator !== "random") return undefined;
  const p = settings("random", params);
  const align = p.align * PAGE_SIZE;
  const largest = Math.ceil(p.maxPages * PAGE_SIZE / align) * align + p.maxGap * align;
  const end = Math.ceil(p.base / align) * align + p.vmas * largest;
  if (end <= TASK_SIZE) return undefined;
  return `random layout may reach 0x${hex(end)}, past the user address space ` +
    `(0x${hex(TASK_SIZE)}): lower vmas, maxPages, maxGap, align or base`;
}

/** Each tunable of `generator`: as given, or its default. */
function settings(generator: string, params: GeneratorParams): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, tunable] of Object.entries(GENERATOR_TUNABLES[generator] ?? {})) {
    out[key] = params[key] ?? tunable.fallback;
  }
  return out;
}

/** Places blocks of VMAs downwards from a top address, like the kernel's top-down mmap. */
class TopDown {
  readonly vmas: Vma[] = [];
  #cursor: number;

  constructor(top: number) {
    this.#cursor = top;
  }

  /** Place touching segments (given bottom-up) as one block right below the cursor. */
  block(segments: readonly Omit<VmaInit, "start" | "end">[], pages: readonly number[]): void {
    const total = pages.reduce((sum, n) => sum + n, 0) * PAGE_SIZE;
    let at = this.#cursor - total;
    this.#cursor = at;
    segments.forEach((segment, i) => {
      const end = at + pages[i] * PAGE_SIZE;
      this.vmas.push(makeVma({ ...segment, start: at, end }));
      at = end;
    });
  }

  /** Leave `pages` unmapped below the cursor. */
  skip(pages: number): void {
    this.#cursor -= pages * PAGE_SIZE;
  }
}

/** The five segments of an ELF object: r--, r-x, r--, r-- (relro), rw-, with file offsets. */
function elfSegments(path: string, pages: readonly number[]): Omit<VmaInit, "start" | "end">[] {
  const prots = [R, RX, R, R, RW];
  let offset = 0;
  return prots.map((prot, i) => {
    const segment = { prot, path, offset };
    offset += pages[i] * PAGE_SIZE;
    return segment;
  });
}

function elfPages(rng: Mwc, scale: number): number[] {
  return [
    rng.between(1, 8 * scale),
    rng.between(4, 80 * scale),
    rng.between(1, 30 * scale),
    rng.between(1, 4),
    rng.between(1, 3),
  ];
}

/** Sort and make sure no two touching VMAs could merge (a real mm would have merged them). */
function finish(vmas: Vma[]): Vma[] {
  vmas.sort((a, b) => a.start - b.start);
  const out: Vma[] = [];
  for (const vma of vmas) {
    const prev = out.at(-1);
    if (prev && vma.start < prev.end) throw new Error(`generator overlap at ${vma.start}`);
    if (prev && canMerge(prev, vma)) out[out.length - 1] = makeVma({ ...prev, end: vma.end });
    else out.push(vma);
  }
  return out;
}

/** Executable, heap and stack: what every dynamically linked process has low and high. */
function processFrame(rng: Mwc, program: string): { vmas: Vma[]; mmapTop: number } {
  const vmas: Vma[] = [];
  const base = 0x5500_0000_0000 + rng.below(0x1000_0000) * PAGE_SIZE;
  let at = base;
  for (const segment of [[R, 2], [RX, 5], [R, 3], [R, 1], [RW, 1]] as const) {
    const pages = rng.between(1, segment[1] * 4);
    vmas.push(makeVma({
      start: at,
      end: at + pages * PAGE_SIZE,
      prot: segment[0],
      path: program,
      offset: at - base,
    }));
    at += pages * PAGE_SIZE;
  }
  at += rng.between(1, 8192) * PAGE_SIZE;
  vmas.push(makeVma({ start: at, end: at + rng.between(33, 600) * PAGE_SIZE, name: "[heap]" }));
  const stackTop = 0x7ffc_0000_0000 + rng.below(0x3_0000) * PAGE_SIZE;
  vmas.push(makeVma({
    start: stackTop - 33 * PAGE_SIZE,
    end: stackTop,
    name: "[stack]",
    flags: VmFlag.growsdown,
  }));
  return { vmas, mmapTop: 0x7f00_0000_0000 + rng.below(0x0f00_0000) * PAGE_SIZE };
}

/** The loader, vdso and vvar, then `libs` libraries with their bss, locale files and arenas. */
function sharedObjects(rng: Mwc, area: TopDown, libs: number, threads: number): void {
  area.block(elfSegments("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", elfPages(rng, 1)), [
    1,
    38,
    10,
    2,
    2,
  ]);
  area.block([
    { prot: R, name: "[vvar]", flags: VmFlag.special },
    { prot: RX, name: "[vdso]", flags: VmFlag.special },
  ], [4, 2]);
  area.block([{ prot: RW }], [rng.between(1, 4)]);
  for (let i = 0; i < libs; i++) {
    const base = LIBRARY_NAMES[i % LIBRARY_NAMES.length];
    const name = i < LIBRARY_NAMES.length ? base : `${base.replace(".so", `-${i}.so`)}`;
    const pages = elfPages(rng, i === 0 ? 8 : 1);
    const withBss = rng.chance(0.4);
    const segments = elfSegments(`/usr/lib/x86_64-linux-gnu/${name}`, pages);
    area.block(withBss ? [...segments, { prot: RW }] : segments, withBss ? [...pages, 3] : pages);
  }
  for (let i = 0; i < rng.between(2, 8); i++) {
    area.block([{ prot: R, path: `/usr/lib/locale/C.utf8/LC_${i}` }], [rng.between(1, 90)]);
  }
  for (let i = 0; i < threads; i++) {
    area.block([{ prot: PROT_NONE }, { prot: RW }], [1, 2048]);
  }
  for (let i = 0; i < rng.between(1, 4); i++) {
    area.block([{ prot: RW }, { prot: PROT_NONE }], [rng.between(33, 132), rng.between(100, 400)]);
    area.skip(rng.between(0, 16));
  }
}

/**
 * A glibc program: executable segments, heap, ld.so, vdso/vvar, libc and `libs` (default 4)
 * other libraries, locale files, `threads` (default 2) thread stacks with guard pages,
 * malloc arenas and the stack.
 */
export function glibcLayout(rng: Mwc, params: GeneratorParams): Vma[] {
  const frame = processFrame(rng, "/usr/bin/glibc-app");
  const area = new TopDown(frame.mmapTop);
  const p = settings("glibc", params);
  sharedObjects(rng, area, 1 + p.libs, p.threads);
  return finish([...frame.vmas, ...area.vmas]);
}

/** A desktop program or initramfs tool with hundreds of libraries (default 200). */
export function manyLibsLayout(rng: Mwc, params: GeneratorParams): Vma[] {
  const frame = processFrame(rng, "/usr/bin/many-libs-app");
  const area = new TopDown(frame.mmapTop);
  const p = settings("many-libs", params);
  sharedObjects(rng, area, p.libs, p.threads);
  return finish([...frame.vmas, ...area.vmas]);
}

/**
 * stress-ng's mmap worker: a glibc process plus `pages` (default 20,000) single-page anonymous
 * VMAs that cannot merge because random madvise left neighbours with different flags, with
 * a few gaps (`gaps`, default 7).
 */
export function fragmentedLayout(rng: Mwc, params: GeneratorParams): Vma[] {
  const frame = processFrame(rng, "/usr/bin/stress-ng");
  const area = new TopDown(frame.mmapTop);
  sharedObjects(rng, area, 5, 1);
  const { pages, gaps } = settings("fragmented", params);
  area.skip(rng.between(1, 64));
  let previousFlag = -1;
  for (let i = 0; i < pages; i++) {
    if (gaps > 0 && rng.below(pages) < gaps) area.skip(1);
    let flag = rng.below(ADVICE_FLAGS.length + 1);
    if (flag === previousFlag) flag = (flag + 1) % (ADVICE_FLAGS.length + 1);
    previousFlag = flag;
    const flags = flag === ADVICE_FLAGS.length ? 0 : VmFlag[ADVICE_FLAGS[flag]];
    area.block([{ prot: RW, flags }], [1]);
  }
  return finish([...frame.vmas, ...area.vmas]);
}

/**
 * Random VMAs from `base` upwards: `vmas` (default 200) mappings of 1..`maxPages` (16) pages,
 * each size a multiple of `align` pages (1), a gap of 1..`maxGap` (64) aligned units before a
 * VMA with probability `gap` (0.3), DONTCOPY with probability `dontcopy` (0.02).
 */
export function randomLayout(rng: Mwc, params: GeneratorParams): Vma[] {
  const p = settings("random", params);
  const count = p.vmas;
  const align = Math.max(1, Math.floor(p.align)) * PAGE_SIZE;
  const { maxPages, maxGap, dontcopy } = p;
  const gapChance = p.gap;
  let at = Math.ceil(p.base / align) * align;
  const vmas: Vma[] = [];
  for (let i = 0; i < count; i++) {
    if (rng.chance(gapChance)) at += rng.between(1, maxGap) * align;
    const size = Math.ceil(rng.between(1, maxPages) * PAGE_SIZE / align) * align;
    const file = rng.chance(0.5);
    let prot = rng.pick([R, RW, RX, PROT_NONE]);
    const prev = vmas.at(-1);
    const draft = makeVma({
      start: at,
      end: at + size,
      prot,
      path: file ? `/usr/lib/random-${rng.below(8)}.so` : "",
      offset: file ? rng.below(64) * PAGE_SIZE : 0,
      flags: rng.chance(dontcopy) ? VmFlag.dontcopy : 0,
    });
    if (prev && canMerge(prev, draft)) prot ^= PROT_WRITE;
    vmas.push(makeVma({ ...draft, prot }));
    at += size;
  }
  return finish(vmas);
}

/** Generator names and their functions. */
export const GENERATORS: Readonly<Record<string, (rng: Mwc, params: GeneratorParams) => Vma[]>> = {
  glibc: glibcLayout,
  "many-libs": manyLibsLayout,
  fragmented: fragmentedLayout,
  random: randomLayout,
};
