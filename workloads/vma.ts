/**
 * Virtual memory areas as the simulated mm keeps them: immutable values, one per mapping.
 *
 * A change to a mapping (split, protection change, merge) makes new `Vma` objects, so a value
 * stored in the tree never changes under it and the reference model can compare by identity.
 *
 * @example
 * ```ts
 * import { canMerge, makeVma, PAGE_SIZE, PROT_READ, PROT_WRITE } from "./vma.ts";
 * const a = makeVma({ start: 0x10000, end: 0x12000, prot: PROT_READ | PROT_WRITE });
 * const b = makeVma({ start: 0x12000, end: 0x13000, prot: PROT_READ | PROT_WRITE });
 * console.log(canMerge(a, b), (b.end - b.start) / PAGE_SIZE); // true 1
 * ```
 *
 * @module
 */

/** Bytes in a page; every VMA boundary is a multiple of it. */
export const PAGE_SIZE = 4096;

/** Protection bits. */
export const PROT_NONE = 0;
/** Readable. */
export const PROT_READ = 1;
/** Writable. */
export const PROT_WRITE = 2;
/** Executable. */
export const PROT_EXEC = 4;

/** VM flags that matter to the simulation (the kernel's `vm_flags` subset). */
export const VmFlag = {
  /** MADV_DONTFORK: the child's dup leaves this VMA out. */
  dontcopy: 1 << 0,
  /** MADV_WIPEONFORK: copied, but without pages. */
  wipeonfork: 1 << 1,
  /** vdso, vvar and other special mappings: never merged. */
  special: 1 << 2,
  /** MADV_RANDOM. */
  randRead: 1 << 3,
  /** MADV_SEQUENTIAL. */
  seqRead: 1 << 4,
  /** MADV_HUGEPAGE. */
  hugepage: 1 << 5,
  /** MADV_NOHUGEPAGE. */
  nohugepage: 1 << 6,
  /** MADV_MERGEABLE. */
  mergeable: 1 << 7,
  /** MADV_DONTDUMP. */
  dontdump: 1 << 8,
  /** MAP_LOCKED / mlock. */
  locked: 1 << 9,
  /**
   * VM_GROWSDOWN: a stack that grows toward lower addresses (the `[stack]` of a process,
   * MAP_GROWSDOWN). A placement search keeps {@linkcode STACK_GUARD_GAP} free below it.
   */
  growsdown: 1 << 10,
} as const;

/** A flag's name. */
export type VmFlagName = keyof typeof VmFlag;

/** Every flag name, in bit order. */
export const VM_FLAG_NAMES: readonly VmFlagName[] = Object.keys(VmFlag) as VmFlagName[];

/** Flags that random madvise toggles; each makes a page unmergeable with its neighbours. */
export const ADVICE_FLAGS: readonly VmFlagName[] = [
  "randRead",
  "seqRead",
  "hugepage",
  "nohugepage",
  "mergeable",
  "dontdump",
];

/** One mapping: `[start, end)` in bytes. */
export interface Vma {
  readonly start: number;
  readonly end: number;
  /** PROT_* bits. */
  readonly prot: number;
  /** MAP_SHARED (true) or MAP_PRIVATE. */
  readonly shared: boolean;
  /** Backing file path, or `""` for anonymous memory. */
  readonly path: string;
  /** File offset of `start` in bytes (0 for anonymous memory). */
  readonly offset: number;
  /** Anonymous mapping name as /proc shows it (`[heap]`, `[stack]`, `[anon:x]`), or `""`. */
  readonly name: string;
  /** {@linkcode VmFlag} bits. */
  readonly flags: number;
}

/** Fields of a new VMA; everything but the range has a default. */
export type VmaInit = Pick<Vma, "start" | "end"> & Partial<Omit<Vma, "start" | "end">>;

/** Make a VMA, checking that the range is page-aligned and non-empty. */
export function makeVma(init: VmaInit): Vma {
  const vma: Vma = {
    start: init.start,
    end: init.end,
    prot: init.prot ?? PROT_READ | PROT_WRITE,
    shared: init.shared ?? false,
    path: init.path ?? "",
    offset: init.offset ?? 0,
    name: init.name ?? "",
    flags: init.flags ?? 0,
  };
  if (
    !Number.isSafeInteger(vma.start) || !Number.isSafeInteger(vma.end) ||
    vma.start % PAGE_SIZE !== 0 || vma.end % PAGE_SIZE !== 0 || vma.start >= vma.end
  ) {
    throw new RangeError(`bad VMA range ${hex(vma.start)}-${hex(vma.end)}`);
  }
  return vma;
}

/** A copy of `vma` with some fields replaced (a new object, the old one untouched). */
export function withFields(vma: Vma, changes: Partial<Vma>): Vma {
  return makeVma({ ...vma, ...changes });
}

/** The part of `vma` inside `[start, end)`, with the file offset moved along. */
export function slice(vma: Vma, start: number, end: number): Vma {
  const from = Math.max(start, vma.start);
  const to = Math.min(end, vma.end);
  const offset = vma.path === "" ? 0 : vma.offset + (from - vma.start);
  return makeVma({ ...vma, start: from, end: to, offset });
}

/** Whether `vma` is backed by a file. */
export function isFileBacked(vma: Vma): boolean {
  return vma.path !== "";
}

/**
 * Whether `left` and `right` (in this order, touching) could be one VMA, as `vma_merge`
 * decides: same protection, sharing, flags, file and name, and a contiguous file offset.
 */
export function canMerge(left: Vma, right: Vma): boolean {
  if (left.end !== right.start) return false;
  if ((left.flags | right.flags) & VmFlag.special) return false;
  if (left.prot !== right.prot || left.shared !== right.shared) return false;
  if (left.flags !== right.flags || left.path !== right.path || left.name !== right.name) {
    return false;
  }
  return left.path === "" || left.offset + (left.end - left.start) === right.offset;
}

/** `left` and `right` as one VMA (call only when {@linkcode canMerge} says so). */
export function merged(left: Vma, right: Vma): Vma {
  return makeVma({ ...left, end: right.end });
}

/** Lower-case hex without prefix, as /proc/PID/maps prints addresses. */
export function hex(value: number): string {
  return value.toString(16);
}

/** The `rwxp` column for a VMA. */
export function permsOf(prot: number, shared: boolean): string {
  return (prot & PROT_READ ? "r" : "-") + (prot & PROT_WRITE ? "w" : "-") +
    (prot & PROT_EXEC ? "x" : "-") + (shared ? "s" : "p");
}

/** Parse an `rwxp` column; `undefined` when it is not four valid characters. */
export function parsePerms(perms: string): { prot: number; shared: boolean } | undefined {
  const match = /^([r-])([w-])([x-])([ps])$/.exec(perms);
  if (!match) return undefined;
  const prot = (match[1] === "r" ? PROT_READ : 0) | (match[2] === "w" ? PROT_WRITE : 0) |
    (match[3] === "x" ? PROT_EXEC : 0);
  return { prot, shared: match[4] === "s" };
}

/** Flag names set in `flags`, in bit order. */
export function flagNames(flags: number): VmFlagName[] {
  return VM_FLAG_NAMES.filter((name) => (flags & VmFlag[name]) !== 0);
}

/** One /proc/PID/maps line for `vma` (device and inode are not modelled and print as zero). */
export function formatVma(vma: Vma): string {
  const head = `${hex(vma.start).padStart(8, "0")}-${hex(vma.end).padStart(8, "0")} ` +
    `${permsOf(vma.prot, vma.shared)} ${hex(vma.offset).padStart(8, "0")} 00:00 0`;
  const label = vma.path || vma.name;
  return label ? `${head.padEnd(73)}${label}` : head;
}

/**
 * The kernel's default `stack_guard_gap`: 256 pages (1 MiB) kept free below a grows-down
 * VMA, so that a stack growing down cannot run into a mapping placed right under it.
 */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;

/**
 * The lowest address a searched-for mapping may end at when `vma` is the next VMA above it:
 * `vma.start`, or for a grows-down VMA `guardGap` bytes lower (not below 0). MAP_FIXED is
 * not bound by it.
 *
 * @example
 * ```ts
 * import { guardedStart, makeVma, STACK_GUARD_GAP, VmFlag } from "./vma.ts";
 * const stack = makeVma({ start: 0x7ff000000000, end: 0x7ff000021000, flags: VmFlag.growsdown });
 * console.log((stack.start - guardedStart(stack)) === STACK_GUARD_GAP); // true
 * ```
 */
export function guardedStart(vma: Vma, guardGap: number = STACK_GUARD_GAP): number {
  if ((vma.flags & VmFlag.growsdown) === 0) return vma.start;
  return Math.max(0, vma.start - guardGap);
}

/** Pages in `vma`. */
export function pagesOf(vma: Vma): number {
  return (vma.end - vma.start) / PAGE_SIZE;
}
