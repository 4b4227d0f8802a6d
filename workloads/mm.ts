/**
 * A simulated process address space: VMAs in a maple tree of any version, changed the way
 * the kernel's mm changes them (split at the edges, merge compatible neighbours, place new
 * mappings top-down through the tree's gap search while keeping the stack guard gap free,
 * duplicate the tree on fork).
 *
 * Every tree write goes through a cursor as the kernel's `vma_mas_store` does:
 * `setRange(first, last)`, `preallocate(value)`, `store(value)`, `destroy()`. When a
 * {@linkcode RangeModel} is attached, each write is mirrored into it and, in checked mode,
 * each read the mm makes is compared against it, so a wrong answer from the tree is caught
 * where the mm first relies on it.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { Mm } from "./mm.ts";
 * import { PROT_READ, PROT_WRITE } from "./vma.ts";
 * const { module } = await loadVersion("testing/reference");
 * const mm = Mm.create(module, [], { checked: true });
 * const addr = mm.mmap({ length: 0x4000, prot: PROT_READ | PROT_WRITE });
 * console.log(typeof addr === "number" ? addr.toString(16) : addr, mm.mapCount);
 * mm.exit();
 * ```
 *
 * @module
 */

import type { Entry, MapleCursor, MapleModule, MapleTree } from "../core/contract.ts";
import { DifferentialMismatchError, LeakError } from "./check_errors.ts";
import { RangeModel } from "./reference_model.ts";
import { ShapeOracle, type ShapeOracleSpec } from "./shape_oracle.ts";
import { runTreeSession, type TreeSessionSpec } from "./tree_session.ts";
import { checkDupAccounting, checkWriteAccounting } from "./node_accounting.ts";
import {
  canMerge,
  guardedStart,
  hex,
  makeVma,
  merged,
  PAGE_SIZE,
  PROT_READ,
  PROT_WRITE,
  slice,
  STACK_GUARD_GAP,
  type Vma,
  VmFlag,
  withFields,
} from "./vma.ts";

/** Why an mm call refused, as the kernel's errno would say. */
export type Errno = "ENOMEM" | "EINVAL" | "EEXIST" | "EFAULT";

/** The kernel's default `vm.max_map_count`. */
export const DEFAULT_MAX_MAP_COUNT = 65_530;
/** x86-64 user address space end (`TASK_SIZE`). */
export const TASK_SIZE = 0x7fff_ffff_f000;
/** Lowest mappable address (`vm.mmap_min_addr`). */
export const MMAP_MIN_ADDR = 0x10000;
/** Where x86-64 places a MAP_32BIT mapping: the second GiB (`find_start_end`). */
export const LOW32_START = 0x4000_0000;
/** End (exclusive) of the MAP_32BIT window. */
export const LOW32_END = 0x8000_0000;

/** How an mm is checked and limited. */
export interface MmOptions {
  /** `vm.max_map_count`. */
  readonly maxMapCount?: number;
  /** Bytes a search keeps free below a grows-down VMA (`stack_guard_gap`, default 1 MiB). */
  readonly stackGuardGap?: number;
  /** Mirror writes into a reference model (needed for any differential check). */
  readonly mirror?: boolean;
  /** Compare every read against the model (implies `mirror`): `--verify`. */
  readonly checked?: boolean;
  /**
   * A version whose tree follows every write, its height and node census compared after
   * each (see `shape_oracle.ts`); absent: no shape checks.
   */
  readonly shapeOracle?: ShapeOracleSpec;
}

/**
 * An mmap request; lengths are rounded up to whole pages. The workload's `MmapOp`
 * (operations.ts) is this request with a target process and the flags by name.
 */
export interface MmapRequest {
  /** Hint, or the exact address with `fixed`. */
  readonly addr?: number;
  readonly length: number;
  /** PROT_* bits. */
  readonly prot: number;
  /** MAP_SHARED rather than MAP_PRIVATE. */
  readonly shared?: boolean;
  /** MAP_FIXED: replace whatever is there (the guard gap below a stack does not apply). */
  readonly fixed?: boolean;
  /** MAP_FIXED_NOREPLACE: fail with EEXIST if anything is there. */
  readonly noReplace?: boolean;
  /** Backing file, or absent for anonymous memory. */
  readonly path?: string;
  /** File offset in bytes. */
  readonly offset?: number;
  /** Anonymous mapping name (`[anon:x]`). */
  readonly name?: string;
  /** {@linkcode VmFlag} bits (`growsdown` for MAP_GROWSDOWN). */
  readonly flags?: number;
  /** MAP_32BIT: placed in `[LOW32_START, LOW32_END)` when no usable hint is given. */
  readonly low32?: boolean;
}

function pageUp(length: number): number {
  return Math.ceil(length / PAGE_SIZE) * PAGE_SIZE;
}

function aligned(value: number): boolean {
  return Number.isSafeInteger(value) && value % PAGE_SIZE === 0;
}

function sameVma(a: Vma, b: Vma): boolean {
  return a.start === b.start && a.end === b.end && a.prot === b.prot && a.shared === b.shared &&
    a.path === b.path && a.offset === b.offset && a.name === b.name && a.flags === b.flags;
}

/** One address space. */
export class Mm {
  readonly tree: MapleTree<Vma>;
  private writer: MapleCursor<Vma> | undefined;
  private reader: MapleCursor<Vma> | undefined;
  readonly model: RangeModel<Vma> | undefined;
  /** The shape oracle's tree following this one, when one was asked for and can follow. */
  readonly shape: ShapeOracle<Vma> | undefined;
  readonly checked: boolean;
  readonly maxMapCount: number;
  /** Bytes kept free below a grows-down VMA by every placement search. */
  readonly stackGuardGap: number;
  /** VMAs as the mm counts them (`mm->map_count`). */
  mapCount: number;
  /** Start of the heap (`mm->start_brk`). */
  startBrk: number;
  /** Current program break. */
  brkEnd: number;
  /** Top of the top-down mmap area. */
  mmapBase: number;
  /** The version the tree comes from, for the `tree` stressor's own trees. */
  private module: MapleModule | undefined;
  /** The shape oracle asked for, for the `tree` stressor's own trees. */
  private shapeSpec: ShapeOracleSpec | undefined;
  /** Tasks sharing this mm (clone with CLONE_VM, vfork). */
  users = 1;
  /** Whether the tree has been torn down. */
  exited = false;
  /** Describes the current call, for failure reports (a function: built only when needed). */
  describeOperation: () => string = () => "setup";

  /** What the current call is doing. */
  get operation(): string {
    return this.describeOperation();
  }

  private constructor(
    tree: MapleTree<Vma>,
    model: RangeModel<Vma> | undefined,
    options: MmOptions,
    mapCount: number,
    shape?: ShapeOracle<Vma>,
  ) {
    this.tree = tree;
    this.model = model;
    this.shape = shape;
    this.checked = options.checked ?? false;
    this.maxMapCount = options.maxMapCount ?? DEFAULT_MAX_MAP_COUNT;
    this.stackGuardGap = options.stackGuardGap ?? STACK_GUARD_GAP;
    this.mapCount = mapCount;
    this.startBrk = 0;
    this.brkEnd = 0;
    this.mmapBase = TASK_SIZE;
  }

  /** An mm holding `layout` (sorted, non-overlapping VMAs) in a new tree of `module`. */
  static create(module: MapleModule, layout: readonly Vma[], options: MmOptions = {}): Mm {
    const mirror = (options.mirror ?? false) || (options.checked ?? false);
    const tree = module.createTree<Vma>({ allocRange: true });
    const shape = options.shapeOracle ? ShapeOracle.create<Vma>(options.shapeOracle) : undefined;
    const mm = new Mm(tree, mirror ? new RangeModel<Vma>() : undefined, options, 0, shape);
    mm.module = module;
    mm.shapeSpec = options.shapeOracle;
    mm.describeOperation = () => `building a layout of ${layout.length} VMAs`;
    for (const vma of layout) {
      mm.write(vma.start, vma.end - 1, vma);
      mm.mapCount++;
    }
    mm.placeBreakAndBase(layout);
    return mm;
  }

  /** Find the heap and the mmap base the way a freshly exec'd process would have them. */
  private placeBreakAndBase(layout: readonly Vma[]): void {
    const heap = layout.find((v) => v.name === "[heap]");
    const stack = layout.find((v) => v.name === "[stack]");
    if (heap) {
      this.startBrk = heap.start;
      this.brkEnd = layout.filter((v) => v.name === "[heap]").at(-1)!.end;
    } else {
      let end = layout.length > 0 ? layout[0].end : MMAP_MIN_ADDR;
      for (const vma of layout) if (vma.start === end) end = vma.end;
      this.startBrk = this.brkEnd = end;
    }
    const top = stack ? stack.start - 0x800_0000 : TASK_SIZE - 0x4000_0000;
    const below = layout.filter((v) => v.end <= top && v.start >= TASK_SIZE / 2).at(-1);
    this.mmapBase = below ? below.end : top;
  }

  // ---- tree access: every read can be checked, every write is mirrored --------------------

  /** Store `value` over `[first, last]` through a preallocated cursor, like `vma_mas_store`. */
  private write(first: number, last: number, value: Vma | undefined): void {
    // One cursor per mm, reset by setRange, as the kernel keeps its ma_state on the stack:
    // making a cursor per write would charge every version for the harness's allocations.
    const cursor = this.writer ??= this.tree.cursor();
    cursor.setRange(first, last);
    cursor.preallocate(value);
    const old = cursor.store(value);
    cursor.destroy();
    if (this.checked) this.checkStore(first, last, old, cursor.pooled);
    this.model?.store(first, last, value);
    this.shape?.follow(first, last, value, this.tree, this.describeOperation);
    if (this.checked) this.compareSpan(first === 0 ? 0 : first - 1, last + 1, "after a store");
  }

  /**
   * What a store owes besides its entries, none of which the mm itself reads (so a fault
   * there passes every other check): the old value it returns is what covered `first`, the
   * cursor's pool is empty once destroyed, and every live node is a node of the tree, so a
   * reservation that is never given back, or a node freed twice, shows at the write that
   * made it.
   */
  private checkStore(first: number, last: number, old: Vma | undefined, pooled: number): void {
    if (this.model && old !== this.model.load(first)) {
      const want = this.model.load(first);
      this.mismatch(
        `store over ${hex(first)}-${hex(last)} returned ${vmaText(old)}, ` +
          `but ${vmaText(want)} covered ${hex(first)}`,
      );
    }
    checkWriteAccounting(
      this.tree,
      pooled,
      `store over ${hex(first)}-${hex(last)} during ${this.operation}`,
    );
  }

  private mismatch(what: string): never {
    throw new DifferentialMismatchError(`${what} (during ${this.operation})`);
  }

  private compareSpan(first: number, last: number, when: string): void {
    if (!this.model) return;
    const got = [...this.tree.entries(first, last)];
    const want = this.model.entries(first, last);
    if (got.length !== want.length) {
      this.mismatch(
        `tree has ${got.length} entries in ${hex(first)}-${
          hex(last)
        } ${when}, model ${want.length}`,
      );
    }
    for (let i = 0; i < got.length; i++) {
      const g = got[i];
      const w = want[i];
      if (g.first !== w.first || g.last !== w.last || g.value !== w.value) {
        this.mismatch(
          `tree entry ${hex(g.first)}-${hex(g.last)} differs from model ` +
            `${hex(w.first)}-${hex(w.last)} ${when}`,
        );
      }
    }
  }

  /** The VMA covering `address`. */
  private load(address: number): Vma | undefined {
    const value = this.tree.load(address);
    if (this.checked && this.model && value !== this.model.load(address)) {
      this.mismatch(`load(${hex(address)}) disagrees with the model`);
    }
    return value;
  }

  /** VMAs intersecting `[start, end)`. */
  private span(start: number, end: number): Vma[] {
    if (this.checked) this.compareSpan(start, end - 1, "in a range query");
    // A reused cursor walks like the kernel's VMA iterator; see `writer`.
    const reader = this.reader ??= this.tree.cursor();
    reader.set(start);
    const found: Vma[] = [];
    for (let vma = reader.find(end - 1); vma !== undefined; vma = reader.find(end - 1)) {
      found.push(vma);
    }
    return found;
  }

  /**
   * The first VMA at or above `address` (the one covering it, else the next one up), as the
   * kernel's `mas_next` after a gap search finds the VMA right above the area.
   */
  private vmaFrom(address: number): Vma | undefined {
    const reader = this.reader ??= this.tree.cursor();
    reader.set(address);
    const found = reader.find(TASK_SIZE - 1);
    if (this.checked && this.model && found !== this.model.findFrom(address)?.value) {
      this.mismatch(`the VMA at or above ${hex(address)} disagrees with the model`);
    }
    return found;
  }

  /**
   * The highest end a searched-for area ending at `end` may have: the start of the VMA above
   * it, lowered by the guard gap when that VMA grows down (the kernel's `vm_start_gap`).
   */
  private ceilingAbove(end: number): number {
    const above = this.vmaFrom(end);
    return above ? guardedStart(above, this.stackGuardGap) : TASK_SIZE;
  }

  /** `emptyAreaRev` or `emptyArea` of the tree, compared with the model in checked mode. */
  private gapSearch(
    min: number,
    max: number,
    length: number,
    topDown: boolean,
  ): number | undefined {
    const got = topDown
      ? this.tree.emptyAreaRev(min, max, length)
      : this.tree.emptyArea(min, max, length);
    if (this.checked && this.model) {
      const want = topDown
        ? this.model.emptyAreaRev(min, max, length)
        : this.model.emptyArea(min, max, length);
      if (got?.first !== want?.first || got?.last !== want?.last) {
        const name = topDown ? "emptyAreaRev" : "emptyArea";
        this.mismatch(
          `${name}(${hex(min)}, ${hex(max)}, ${hex(length)}) gave ${got && hex(got.first)} ` +
            `but the model ${want && hex(want.first)}`,
        );
      }
    }
    return got?.first;
  }

  /**
   * A free, page-aligned area of `length` bytes, as `vm_unmapped_area` finds it: top-down
   * below the mmap base, then bottom-up above it. An area whose end would fall inside the
   * guard gap below a grows-down VMA is refused and the search narrowed past that VMA's
   * guard (top-down: search again below the guard; bottom-up: above the stack), so the gap
   * stays free while the rest of the space is still searched.
   */
  private freeArea(length: number): number | undefined {
    let high = this.mmapBase;
    while (high - 1 >= MMAP_MIN_ADDR) {
      const start = this.gapSearch(MMAP_MIN_ADDR, high - 1, length, true);
      if (start === undefined) break;
      const ceiling = this.ceilingAbove(start + length);
      if (start + length <= ceiling) return start;
      high = ceiling;
    }
    return this.freeAreaAbove(this.mmapBase, TASK_SIZE, length);
  }

  /** The lowest free area of `length` bytes in `[low, end)`, the guard gaps kept free. */
  private freeAreaAbove(low: number, end: number, length: number): number | undefined {
    while (low < end) {
      const start = this.gapSearch(low, end - 1, length, false);
      if (start === undefined) return undefined;
      const above = this.vmaFrom(start + length);
      if (!above || start + length <= guardedStart(above, this.stackGuardGap)) return start;
      low = above.end;
    }
    return undefined;
  }

  // ---- the whole-space check ----------------------------------------------------------------

  /** `validate()` the tree and compare every VMA with the model and with `mapCount`. */
  checkAll(): void {
    this.tree.validate();
    const want = this.model?.entries();
    let count = 0;
    for (const entry of this.tree.entries()) {
      const vma = entry.value;
      if (entry.first !== vma.start || entry.last !== vma.end - 1) {
        this.mismatch(
          `VMA ${hex(vma.start)}-${hex(vma.end)} stored at ${hex(entry.first)}-${hex(entry.last)}`,
        );
      }
      const model = want?.[count];
      if (want && (model === undefined || model.value !== vma || model.first !== entry.first)) {
        this.mismatch(
          `tree entry ${count} (${hex(entry.first)}-${hex(entry.last)}) differs from the model's ` +
            (model ? `${hex(model.first)}-${hex(model.last)}` : "end of list"),
        );
      }
      count++;
    }
    if (want && want.length !== count) {
      this.mismatch(`tree holds ${count} VMAs, model ${want.length}`);
    }
    if (count !== this.mapCount || this.tree.count() !== count) {
      this.mismatch(
        `the mm counts ${this.mapCount} VMAs, entries() gave ${count}, count() ${this.tree.count()}`,
      );
    }
  }

  /** The VMAs in address order. */
  vmas(): Vma[] {
    return [...this.tree.entries()].map((e) => e.value);
  }

  // ---- building blocks ----------------------------------------------------------------------

  /** Put `vma` into an empty range, merging it with compatible neighbours. */
  private insertMerged(vma: Vma): void {
    const prev = vma.start > 0 ? this.load(vma.start - 1) : undefined;
    const next = this.load(vma.end);
    const left = prev !== undefined && canMerge(prev, vma);
    const right = next !== undefined && canMerge(vma, next);
    if (left && right) {
      this.write(prev.start, next.end - 1, merged(merged(prev, vma), next));
      this.mapCount--;
    } else if (left) {
      this.write(prev.start, vma.end - 1, merged(prev, vma));
    } else if (right) {
      this.write(vma.start, next.end - 1, merged(vma, next));
    } else {
      this.write(vma.start, vma.end - 1, vma);
      this.mapCount++;
    }
  }

  /** Merge every run of compatible neighbours among the VMAs touching `[start, end)`. */
  private mergeAround(start: number, end: number): void {
    const list = this.span(Math.max(0, start - 1), end + 1);
    let run: Vma | undefined;
    let runLength = 0;
    const flush = () => {
      if (run && runLength > 1) {
        this.write(run.start, run.end - 1, run);
        this.mapCount -= runLength - 1;
      }
    };
    for (const vma of list) {
      if (run && canMerge(run, vma)) {
        run = merged(run, vma);
        runLength++;
      } else {
        flush();
        run = vma;
        runLength = 1;
      }
    }
    flush();
  }

  /** Unmap `[start, end)`, splitting the VMAs at the edges. */
  private unmapRange(start: number, end: number): Errno | undefined {
    const victims = this.span(start, end);
    if (victims.length === 0) return undefined;
    const first = victims[0];
    const last = victims[victims.length - 1];
    const head = first.start < start;
    const tail = last.end > end;
    const added = (head ? 1 : 0) + (tail ? 1 : 0) - victims.length;
    if (added > 0 && this.mapCount + added > this.maxMapCount) return "ENOMEM";
    if (head) this.write(first.start, start - 1, slice(first, first.start, start));
    if (tail) this.write(end, last.end - 1, slice(last, end, last.end));
    this.write(Math.max(start, first.start), Math.min(end, last.end) - 1, undefined);
    this.mapCount += added;
    return undefined;
  }

  /** Apply `change` to every VMA piece in `[start, end)`, splitting and then merging. */
  private modifyRange(start: number, end: number, change: (vma: Vma) => Vma): Errno | undefined {
    const victims = this.span(start, end);
    let covered = start;
    for (const vma of victims) {
      if (vma.start > covered) return "ENOMEM";
      covered = vma.end;
    }
    if (covered < end) return "ENOMEM";
    const pieces: Vma[] = [];
    for (const vma of victims) {
      if (vma.start < start) pieces.push(slice(vma, vma.start, start));
      const middle = slice(vma, Math.max(start, vma.start), Math.min(end, vma.end));
      pieces.push(change(middle));
      if (vma.end > end) pieces.push(slice(vma, end, vma.end));
    }
    const added = pieces.length - victims.length;
    if (added > 0 && this.mapCount + added > this.maxMapCount) return "ENOMEM";
    for (const piece of pieces) this.write(piece.start, piece.end - 1, piece);
    this.mapCount += added;
    this.mergeAround(start, end);
    return undefined;
  }

  // ---- system calls -------------------------------------------------------------------------

  /** mmap: the new mapping's address, or why not. */
  mmap(request: MmapRequest): number | Errno {
    const length = pageUp(request.length);
    if (!(length > 0) || length > TASK_SIZE) return "EINVAL";
    const fixed = request.fixed === true || request.noReplace === true;
    let start: number | undefined;
    if (fixed) {
      const addr = request.addr ?? -1;
      if (!aligned(addr) || addr < MMAP_MIN_ADDR || addr + length > TASK_SIZE) return "EINVAL";
      if (request.noReplace && this.span(addr, addr + length).length > 0) return "EEXIST";
      if (this.mapCount >= this.maxMapCount) return "ENOMEM";
      const refused = this.unmapRange(addr, addr + length);
      if (refused) return refused;
      start = addr;
    } else {
      if (this.mapCount >= this.maxMapCount) return "ENOMEM";
      const hint = request.addr;
      if (
        hint !== undefined && aligned(hint) && hint >= MMAP_MIN_ADDR &&
        hint + length <= TASK_SIZE && this.span(hint, hint + length).length === 0 &&
        hint + length <= this.ceilingAbove(hint + length)
      ) {
        start = hint;
      } else if (request.low32) {
        // x86-64's MAP_32BIT: bottom-up, inside the second GiB only, so searches run in a
        // window a few mappings can fill, with areas found at its very edges.
        start = this.freeAreaAbove(LOW32_START, LOW32_END, length);
      } else {
        start = this.freeArea(length);
      }
      if (start === undefined) return "ENOMEM";
    }
    this.insertMerged(makeVma({
      start,
      end: start + length,
      prot: request.prot,
      shared: request.shared ?? false,
      path: request.path ?? "",
      offset: request.path ? request.offset ?? 0 : 0,
      name: request.name ?? "",
      flags: request.flags ?? 0,
    }));
    return start;
  }

  /** munmap. */
  munmap(addr: number, length: number): Errno | undefined {
    const size = pageUp(length);
    if (!aligned(addr) || !(size > 0) || addr + size > TASK_SIZE) return "EINVAL";
    return this.unmapRange(addr, addr + size);
  }

  /** mprotect: ENOMEM when part of the range is unmapped. */
  mprotect(addr: number, length: number, prot: number): Errno | undefined {
    const size = pageUp(length);
    if (!aligned(addr) || !(size > 0) || addr + size > TASK_SIZE) return "EINVAL";
    return this.modifyRange(addr, addr + size, (vma) => withFields(vma, { prot }));
  }

  /** madvise with an advice that sets or clears VM flags (split, then merge). */
  madvise(addr: number, length: number, flag: number, set: boolean): Errno | undefined {
    const size = pageUp(length);
    if (!aligned(addr) || !(size > 0) || addr + size > TASK_SIZE) return "EINVAL";
    return this.modifyRange(
      addr,
      addr + size,
      (vma) => withFields(vma, { flags: set ? vma.flags | flag : vma.flags & ~flag }),
    );
  }

  /** mremap: grow in place when the space above is free, otherwise move (with `mayMove`). */
  mremap(
    addr: number,
    oldLength: number,
    newLength: number,
    mayMove: boolean,
    newAddr?: number,
  ): number | Errno {
    const oldSize = pageUp(oldLength);
    const newSize = pageUp(newLength);
    if (!aligned(addr) || !(oldSize > 0) || !(newSize > 0)) return "EINVAL";
    if (addr + newSize > TASK_SIZE) return "EINVAL";
    const vma = this.load(addr);
    if (!vma || addr + oldSize > vma.end) return "EFAULT";
    if (newAddr !== undefined) {
      if (!mayMove || !aligned(newAddr) || newAddr < MMAP_MIN_ADDR) return "EINVAL";
      if (newAddr + newSize > TASK_SIZE) return "EINVAL";
      if (newAddr < addr + oldSize && addr < newAddr + newSize) return "EINVAL";
      return this.move(vma, addr, oldSize, newSize, newAddr);
    }
    if (newSize <= oldSize) {
      const refused = newSize < oldSize
        ? this.unmapRange(addr + newSize, addr + oldSize)
        : undefined;
      return refused ?? addr;
    }
    const end = addr + newSize;
    if (addr + oldSize === vma.end && this.span(vma.end, end).length === 0) {
      this.write(vma.start, end - 1, withFields(vma, { end }));
      this.mergeAround(vma.start, end);
      return addr;
    }
    if (!mayMove) return "ENOMEM";
    return this.move(vma, addr, oldSize, newSize, undefined);
  }

  private move(
    vma: Vma,
    addr: number,
    oldSize: number,
    newSize: number,
    target: number | undefined,
  ): number | Errno {
    if (this.mapCount >= this.maxMapCount - 3) return "ENOMEM";
    if (target !== undefined) {
      const refused = this.unmapRange(target, target + newSize);
      if (refused) return refused;
    }
    const start = target ?? this.freeArea(newSize);
    if (start === undefined) return "ENOMEM";
    const piece = slice(vma, addr, addr + Math.min(oldSize, newSize));
    this.insertMerged(withFields(piece, { start, end: start + newSize }));
    const refused = this.unmapRange(addr, addr + oldSize);
    return refused ?? start;
  }

  /**
   * brk: move the program break; the heap VMA grows (merging) or is unmapped from the top.
   * Growth stops a page short of the next mapping, and short of the guard gap when that
   * mapping grows down, as the kernel's brk checks against `vm_start_gap` of the next VMA.
   */
  brk(newBrk: number): number | Errno {
    const target = pageUp(newBrk);
    if (target < this.startBrk || target > TASK_SIZE) return "EINVAL";
    if (target === this.brkEnd) return target;
    if (target < this.brkEnd) {
      const refused = this.unmapRange(target, this.brkEnd);
      if (refused) return refused;
      this.brkEnd = target;
      return target;
    }
    const next = this.vmaFrom(this.brkEnd);
    if (next && target + PAGE_SIZE > guardedStart(next, this.stackGuardGap)) return "ENOMEM";
    const heap = makeVma({
      start: this.brkEnd,
      end: target,
      prot: PROT_READ | PROT_WRITE,
      name: "[heap]",
    });
    const prev = this.brkEnd > 0 ? this.load(this.brkEnd - 1) : undefined;
    if (!(prev && canMerge(prev, heap)) && this.mapCount >= this.maxMapCount) return "ENOMEM";
    this.insertMerged(heap);
    this.brkEnd = target;
    return target;
  }

  /**
   * fork: duplicate the tree with the version's `dup()`; DONTCOPY VMAs are left out. The
   * node accounting of a bulk dup is checked: nothing taken beyond the promise, nothing extra.
   */
  fork(): Mm {
    const copies = new Map<Vma, Vma>();
    let kept = 0;
    const childTree = this.tree.dup((vma) => {
      if (vma.flags & VmFlag.dontcopy) return undefined;
      const copy = { ...vma };
      copies.set(vma, copy);
      kept++;
      return copy;
    });
    checkDupAccounting(childTree, this.mapCount, this.operation);
    const shape = this.shape?.afterDup(this.tree, childTree, this.describeOperation);
    let model: RangeModel<Vma> | undefined;
    if (this.model) {
      const entries: Entry<Vma>[] = [];
      for (const entry of this.model.entries()) {
        if (entry.value.flags & VmFlag.dontcopy) continue;
        const copy = copies.get(entry.value) ?? this.mismatch(
          `dup never copied the VMA at ${hex(entry.value.start)}`,
        );
        entries.push({ first: entry.first, last: entry.last, value: copy });
      }
      model = RangeModel.from(entries);
    }
    const child = new Mm(
      childTree,
      model,
      {
        checked: this.checked,
        maxMapCount: this.maxMapCount,
        stackGuardGap: this.stackGuardGap,
      },
      kept,
      shape,
    );
    child.startBrk = this.startBrk;
    child.brkEnd = this.brkEnd;
    child.mmapBase = this.mmapBase;
    child.module = this.module;
    child.shapeSpec = this.shapeSpec;
    child.describeOperation = this.describeOperation;
    return child;
  }

  /**
   * One session of the `tree` stressor (`tree_session.ts`): the version's own tree API on a
   * fresh tree beside this mm's, checked as this mm is.
   */
  treeSession(spec: TreeSessionSpec): void {
    if (!this.module) throw new Error("this mm was not made by Mm.create: no version to use");
    runTreeSession(this.module, spec, this.checked, this.shapeSpec);
  }

  /** clone: with a shared mm (CLONE_VM) the same mm gains a user, without it a fork. */
  clone(sharedMm: boolean): Mm {
    if (!sharedMm) return this.fork();
    this.users++;
    return this;
  }

  /** exit of one user; the last one tears the tree down and checks that no node stays live. */
  exit(): void {
    if (this.exited) return;
    this.users--;
    if (this.users > 0) return;
    this.exited = true;
    const vmas = this.mapCount;
    this.tree.clear();
    this.model?.clear();
    this.shape?.clear();
    this.mapCount = 0;
    const { live } = this.tree.allocatorStats();
    if (live !== 0) {
      throw new LeakError(`${live} nodes still live after exit of an mm with ${vmas} VMAs`, live);
    }
    if (this.tree.count() !== 0) {
      this.mismatch(`count() is ${this.tree.count()} after clear()`);
    }
  }

  /** Whether two VMA lists are field-for-field equal (used by the determinism tests). */
  static sameLayout(a: readonly Vma[], b: readonly Vma[]): boolean {
    return a.length === b.length && a.every((vma, i) => sameVma(vma, b[i]));
  }
}

/** A VMA's range for a message, or "nothing". */
function vmaText(vma: Vma | undefined): string {
  return vma ? `the VMA ${hex(vma.start)}-${hex(vma.end)}` : "nothing";
}
