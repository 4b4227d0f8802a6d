/**
 * A process tree of simulated mms: the parent and its live children, and the interpreter that
 * applies one {@linkcode Operation} to them with the checks the run asked for.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { Mm } from "./mm.ts";
 * import { ProcessTree } from "./process.ts";
 * const { module } = await loadVersion("testing/reference");
 * const tree = new ProcessTree(Mm.create(module, [], { checked: true }), "every-op");
 * tree.apply({ op: "mmap", length: 0x2000, prot: 3 });
 * tree.apply({ op: "fork" });
 * tree.apply({ op: "exit" });
 * tree.finish();
 * ```
 *
 * @module
 */

import type { Errno, Mm } from "./mm.ts";
import type { Operation } from "./operations.ts";
import { hex, VmFlag } from "./vma.ts";

/** When the whole-space check (validate + differential compare) runs. */
export type CheckMode = "every-op" | "interval" | "none";

/** What one operation did: a result address, an errno, or nothing. */
export type OperationResult = number | Errno | undefined;

/** The parent mm and its live children. */
export class ProcessTree {
  readonly parent: Mm;
  readonly children: Mm[] = [];
  readonly checkMode: CheckMode;
  /** Run the whole-space check every this many operations in `interval` mode. */
  readonly checkInterval: number;
  /** Operations applied so far. */
  applied = 0;
  #describe: () => string = () => "setup";

  /** The operation in progress (or the last one), for failure reports. */
  get current(): string {
    return this.#describe();
  }

  /**
   * @param parent the process's mm
   * @param checkMode when to check the whole space
   * @param checkInterval operations between checks in `interval` mode
   */
  constructor(parent: Mm, checkMode: CheckMode, checkInterval = 1000) {
    this.parent = parent;
    this.checkMode = checkMode;
    this.checkInterval = checkInterval;
  }

  /** The mm an operation's `target` names, or `undefined` when no such child is alive. */
  mmOf(target: number | undefined): Mm | undefined {
    return target === undefined ? this.parent : this.children[target];
  }

  /** Apply `op`; an operation naming a child that does not exist does nothing. */
  apply(op: Operation): OperationResult {
    const mm = this.mmOf(op.target);
    if (!mm) return "EINVAL";
    const vmas = mm.mapCount;
    this.#describe = () => `${describe(op)} in an mm with ${vmas} VMAs`;
    mm.describeOperation = this.#describe;
    let result: OperationResult;
    let born: Mm | undefined;
    switch (op.op) {
      case "fork":
        born = mm.fork();
        this.children.push(born);
        break;
      case "clone":
        born = mm.clone(op.shared);
        this.children.push(born);
        break;
      case "vfork":
        mm.clone(true).exit();
        break;
      case "exit": {
        const index = op.target ?? this.children.length - 1;
        const child = this.children[index];
        if (!child) return "EINVAL";
        this.children.splice(index, 1);
        child.exit();
        break;
      }
      case "mmap":
        result = mm.mmap({
          ...op,
          flags: (op.flags ?? []).reduce((bits, name) => bits | VmFlag[name], 0),
        });
        break;
      case "munmap":
        result = mm.munmap(op.addr, op.length);
        break;
      case "mprotect":
        result = mm.mprotect(op.addr, op.length, op.prot);
        break;
      case "madvise":
        result = mm.madvise(op.addr, op.length, VmFlag[op.flag], op.set);
        break;
      case "mremap":
        result = mm.mremap(op.addr, op.oldLength, op.newLength, op.mayMove, op.newAddr);
        break;
      case "brk":
        result = mm.brk(op.addr);
        break;
      case "tree":
        mm.treeSession(op);
        break;
    }
    this.applied++;
    if (this.checkMode === "every-op") {
      if (!mm.exited) mm.checkAll();
      if (born && born !== mm) born.checkAll();
    } else if (this.checkMode === "interval" && this.applied % this.checkInterval === 0) {
      this.checkEverything();
    }
    return result;
  }

  /** Check the parent and every live child. */
  checkEverything(): void {
    this.#describe = () => "whole-space check";
    for (const mm of [this.parent, ...this.children]) if (!mm.exited) mm.checkAll();
  }

  /** End of run: check, then every child and finally the parent exit (leak checks). */
  finish(): void {
    if (this.checkMode !== "none") this.checkEverything();
    while (this.children.length > 0) {
      const child = this.children.pop()!;
      const vmas = child.mapCount;
      this.#describe = () => `exit of a child with ${vmas} VMAs at the end of the run`;
      child.exit();
    }
    const vmas = this.parent.mapCount;
    this.#describe = () => `exit of the parent with ${vmas} VMAs at the end of the run`;
    this.parent.exit();
  }
}

/** A short description of an operation, e.g. `munmap 7f00001000+0x1000`. */
export function describe(op: Operation): string {
  switch (op.op) {
    case "fork":
    case "vfork":
    case "exit":
      return op.op;
    case "clone":
      return `clone (${op.shared ? "shared" : "separate"} mm)`;
    case "mmap":
      return `mmap ${op.addr === undefined ? "" : hex(op.addr)}+0x${hex(op.length)}` +
        (op.fixed ? " fixed" : op.noReplace ? " fixed-noreplace" : "") +
        (op.low32 ? " 32bit" : "") + (op.flags?.length ? ` ${op.flags.join(",")}` : "");
    case "munmap":
    case "mprotect":
    case "madvise":
      return `${op.op} ${hex(op.addr)}+0x${hex(op.length)}`;
    case "mremap":
      return `mremap ${hex(op.addr)} 0x${hex(op.oldLength)}->0x${hex(op.newLength)}`;
    case "brk":
      return `brk ${hex(op.addr)}`;
    case "tree":
      return `tree session seed ${op.seed} (${op.ops} ops, ${op.keys} keys, ` +
        `${op.allocRange ? "allocation" : "plain"} tree)`;
  }
}
