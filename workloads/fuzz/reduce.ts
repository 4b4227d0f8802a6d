/**
 * The edits a shrinker tries on a fuzz case, each one smaller or simpler than what it
 * replaces: merge two neighbouring VMAs into one, shorten a VMA, simplify an operation.
 * (Removing VMAs and operations is plain list reduction and needs no help from here.)
 *
 * @example
 * ```ts
 * import { mergeNeighbours } from "./reduce.ts";
 * import { makeVma } from "../vma.ts";
 * const layout = [makeVma({ start: 0x10000, end: 0x11000 }), makeVma({ start: 0x13000, end: 0x14000 })];
 * console.log(mergeNeighbours(layout, 0)?.length); // 1
 * ```
 *
 * @module
 */

import type { MapleModule } from "../../core/contract.ts";
import { Mm } from "../mm.ts";
import type { Operation } from "../operations.ts";
import { ProcessTree } from "../process.ts";
import type { FuzzCase } from "./case_gen.ts";
import { makeVma, PAGE_SIZE, pagesOf, type Vma } from "../vma.ts";

/** `layout` with VMAs `i` and `i + 1` replaced by one spanning both (and the gap between). */
export function mergeNeighbours(layout: readonly Vma[], i: number): Vma[] | undefined {
  const left = layout[i];
  const right = layout[i + 1];
  if (!left || !right) return undefined;
  const out = [...layout];
  out.splice(i, 2, makeVma({ ...left, end: right.end }));
  return out;
}

/** `layout` with VMA `i` cut down to `pages` pages from its start. */
export function shortenVma(layout: readonly Vma[], i: number, pages: number): Vma[] | undefined {
  const vma = layout[i];
  if (!vma || pages < 1 || pages >= pagesOf(vma)) return undefined;
  const out = [...layout];
  out[i] = makeVma({ ...vma, end: vma.start + pages * PAGE_SIZE });
  return out;
}

/** Simpler variants of `op`, simplest first (none for operations that are already minimal). */
export function simplerOperations(op: Operation): Operation[] {
  const variants: Operation[] = [];
  switch (op.op) {
    case "clone":
      if (!op.shared) {
        variants.push({ op: "fork", ...(op.target === undefined ? {} : { target: op.target }) });
      }
      break;
    case "mmap": {
      if (op.length > PAGE_SIZE) variants.push({ ...op, length: PAGE_SIZE });
      if (op.flags?.length || op.name || op.path || op.low32) {
        variants.push({
          ...op,
          low32: undefined,
          flags: undefined,
          name: undefined,
          path: undefined,
          offset: undefined,
        });
      }
      if (op.addr !== undefined && !op.fixed && !op.noReplace) {
        variants.push({ ...op, addr: undefined });
      }
      break;
    }
    case "munmap":
    case "mprotect":
    case "madvise":
      if (op.length > PAGE_SIZE) variants.push({ ...op, length: PAGE_SIZE });
      break;
    case "mremap":
      if (op.newAddr !== undefined) variants.push({ ...op, newAddr: undefined });
      break;
    case "tree":
      // A session's first k operations do not depend on how many follow.
      if (op.ops > 1) {
        variants.push({ ...op, ops: Math.ceil(op.ops / 2) }, { ...op, ops: op.ops - 1 });
      }
      break;
    default:
      break;
  }
  return variants.map((v) =>
    Object.fromEntries(Object.entries(v).filter(([, value]) => value !== undefined)) as Operation
  );
}

/**
 * `fuzzCase` with the operations before its first process operation (fork, clone, vfork,
 * exit, or anything aimed at a child) applied to the layout on `trusted`, and dropped: the
 * layout then shows the address space those operations left, which reads better than a
 * trace. `undefined` when there is no such prefix.
 */
export function materializePrefix(trusted: MapleModule, fuzzCase: FuzzCase): FuzzCase | undefined {
  const processOps = new Set(["fork", "clone", "vfork", "exit"]);
  let end = fuzzCase.operations.findIndex((op) => processOps.has(op.op) || op.target !== undefined);
  if (end < 0) end = fuzzCase.operations.length;
  if (end === 0) return undefined;
  const mm = Mm.create(trusted, fuzzCase.layout, {});
  const processes = new ProcessTree(mm, "none");
  for (const op of fuzzCase.operations.slice(0, end)) processes.apply(op);
  const layout = mm.vmas();
  processes.finish();
  return { ...fuzzCase, layout, operations: fuzzCase.operations.slice(end) };
}
