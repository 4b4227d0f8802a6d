/**
 * The primitive operations a workload is made of, and their JSON form.
 *
 * Stressors produce these one by one; a probe can also be given an explicit list of them,
 * which is what the fuzzer records and the shrinker cuts down. In JSON, addresses and
 * lengths are hex strings and protections are `rwx` strings, so a case file reads like a
 * trace.
 *
 * @example
 * ```ts
 * import { decodeOperation, encodeOperation } from "./operations.ts";
 * const record = encodeOperation({ op: "munmap", addr: 0x7f0000001000, length: 0x1000 });
 * console.log(JSON.stringify(record)); // {"op":"munmap","addr":"0x7f0000001000","length":"0x1000"}
 * console.log(decodeOperation(record).op); // munmap
 * ```
 *
 * @module
 */

export type { OperationRecord } from "./probe_types.ts";

import type { MmapRequest } from "./mm.ts";
import type { OperationRecord } from "./probe_types.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE, VM_FLAG_NAMES, type VmFlagName } from "./vma.ts";

/** Which mm an operation acts on: absent = the parent, n = the n-th live child (oldest first). */
interface Targeted {
  readonly target?: number;
}

/** fork: dup the target's tree; the child joins the live children. */
export interface ForkOp extends Targeted {
  readonly op: "fork";
}
/** clone, with or without a shared mm. */
export interface CloneOp extends Targeted {
  readonly op: "clone";
  readonly shared: boolean;
}
/** vfork: a task on the same mm that exits at once. */
export interface VforkOp extends Targeted {
  readonly op: "vfork";
}
/** exit of a live child (absent target = the newest). */
export interface ExitOp extends Targeted {
  readonly op: "exit";
}
/** mmap: the mm's request, with the VM flags by name so that a case file reads them. */
export interface MmapOp extends Targeted, Omit<MmapRequest, "flags"> {
  readonly op: "mmap";
  readonly flags?: readonly VmFlagName[];
}
/** munmap. */
export interface MunmapOp extends Targeted {
  readonly op: "munmap";
  readonly addr: number;
  readonly length: number;
}
/** mprotect. */
export interface MprotectOp extends Targeted {
  readonly op: "mprotect";
  readonly addr: number;
  readonly length: number;
  readonly prot: number;
}
/** madvise with a flag-changing advice. */
export interface MadviseOp extends Targeted {
  readonly op: "madvise";
  readonly addr: number;
  readonly length: number;
  readonly flag: VmFlagName;
  readonly set: boolean;
}
/** mremap. */
export interface MremapOp extends Targeted {
  readonly op: "mremap";
  readonly addr: number;
  readonly oldLength: number;
  readonly newLength: number;
  readonly mayMove: boolean;
  readonly newAddr?: number;
}
/** brk. */
export interface BrkOp extends Targeted {
  readonly op: "brk";
  readonly addr: number;
}
/** One session of the `tree` stressor on a fresh tree of the version (`tree_session.ts`). */
export interface TreeOp extends Targeted {
  readonly op: "tree";
  readonly seed: number;
  readonly ops: number;
  readonly keys: number;
  readonly allocRange: boolean;
}

/** One primitive operation. */
export type Operation =
  | ForkOp
  | CloneOp
  | VforkOp
  | ExitOp
  | MmapOp
  | MunmapOp
  | MprotectOp
  | MadviseOp
  | MremapOp
  | BrkOp
  | TreeOp;

const HEX_FIELDS = ["addr", "length", "oldLength", "newLength", "newAddr", "offset"] as const;
const OP_NAMES = [
  "fork",
  "clone",
  "vfork",
  "exit",
  "mmap",
  "munmap",
  "mprotect",
  "madvise",
  "mremap",
  "brk",
  "tree",
];

/** `rwx` string for PROT_* bits. */
export function protString(prot: number): string {
  return (prot & PROT_READ ? "r" : "-") + (prot & PROT_WRITE ? "w" : "-") +
    (prot & PROT_EXEC ? "x" : "-");
}

/** The JSON record of `op`. */
export function encodeOperation(op: Operation): OperationRecord {
  const out: Record<string, string | number | boolean | string[]> = {};
  for (const [key, value] of Object.entries(op)) {
    if (value === undefined) continue;
    if ((HEX_FIELDS as readonly string[]).includes(key)) out[key] = `0x${value.toString(16)}`;
    else if (key === "prot") out[key] = protString(value as number);
    else if (key === "flags") out[key] = [...(value as string[])];
    else out[key] = value as string | number | boolean;
  }
  return out as OperationRecord;
}

/** A bad operation record: one line naming the field. */
export class OperationError extends Error {
  override name = "OperationError";
}

function parseProt(text: unknown): number {
  if (typeof text !== "string" || !/^[r-][w-][x-]$/.test(text)) {
    throw new OperationError(`bad prot ${JSON.stringify(text)} (want e.g. "rw-")`);
  }
  return (text[0] === "r" ? PROT_READ : 0) | (text[1] === "w" ? PROT_WRITE : 0) |
    (text[2] === "x" ? PROT_EXEC : 0);
}

function parseNumber(key: string, value: unknown): number {
  const number = typeof value === "string" && /^0x[0-9a-f]+$/i.test(value)
    ? parseInt(value.slice(2), 16)
    : value;
  if (typeof number !== "number" || !Number.isSafeInteger(number) || number < 0) {
    throw new OperationError(`bad ${key} ${JSON.stringify(value)} (want "0x..." or an integer)`);
  }
  return number;
}

/** Parse one record back into an operation, checking every field. */
export function decodeOperation(record: unknown): Operation {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new OperationError(`operation must be an object, got ${JSON.stringify(record)}`);
  }
  const source = record as Record<string, unknown>;
  if (typeof source.op !== "string" || !OP_NAMES.includes(source.op)) {
    throw new OperationError(`unknown operation ${JSON.stringify(source.op)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if ((HEX_FIELDS as readonly string[]).includes(key)) out[key] = parseNumber(key, value);
    else if (key === "prot") out[key] = parseProt(value);
    else if (key === "target") out[key] = parseNumber(key, value);
    else if (key === "flags" || key === "flag") {
      const names = key === "flag" ? [value] : value;
      if (!Array.isArray(names) || !names.every((n) => VM_FLAG_NAMES.includes(n as VmFlagName))) {
        throw new OperationError(`bad ${key} ${JSON.stringify(value)}`);
      }
      out[key] = value;
    } else out[key] = value;
  }
  const required: Record<string, string[]> = {
    mmap: ["length", "prot"],
    munmap: ["addr", "length"],
    mprotect: ["addr", "length", "prot"],
    madvise: ["addr", "length", "flag", "set"],
    mremap: ["addr", "oldLength", "newLength", "mayMove"],
    brk: ["addr"],
    clone: ["shared"],
    tree: ["seed", "ops", "keys", "allocRange"],
  };
  for (const key of required[source.op] ?? []) {
    if (out[key] === undefined) throw new OperationError(`${source.op} needs "${key}"`);
  }
  return out as unknown as Operation;
}
