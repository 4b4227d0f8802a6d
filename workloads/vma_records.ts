/**
 * VMAs as JSON records (the `inlineLayout` of a probe and the layout of a case file): one
 * small object per VMA that reads like a /proc/PID/maps line.
 *
 * @example
 * ```ts
 * import { decodeVmas, encodeVma } from "./vma_records.ts";
 * import { makeVma } from "./vma.ts";
 * const record = encodeVma(makeVma({ start: 0x10000, end: 0x12000, name: "[heap]" }));
 * console.log(record.range, decodeVmas([record])[0].name); // 10000-12000 [heap]
 * ```
 *
 * @module
 */

import type { VmaRecord } from "./probe_types.ts";
import {
  flagNames,
  hex,
  makeVma,
  parsePerms,
  permsOf,
  VM_FLAG_NAMES,
  type Vma,
  VmFlag,
} from "./vma.ts";
import type { VmFlagName } from "./vma.ts";

export type { VmaRecord } from "./probe_types.ts";

/** A bad VMA record: one line naming the record and the field. */
export class VmaRecordError extends Error {
  override name = "VmaRecordError";
}

/** The record of `vma`. */
export function encodeVma(vma: Vma): VmaRecord {
  const record: { -readonly [K in keyof VmaRecord]: VmaRecord[K] } = {
    range: `${hex(vma.start)}-${hex(vma.end)}`,
    perms: permsOf(vma.prot, vma.shared),
  };
  if (vma.path) record.offset = `0x${hex(vma.offset)}`;
  if (vma.path || vma.name) record.name = vma.path || vma.name;
  if (vma.flags) record.flags = flagNames(vma.flags);
  return record;
}

/** Parse records into sorted, non-overlapping VMAs; throws {@linkcode VmaRecordError}. */
export function decodeVmas(records: readonly unknown[]): Vma[] {
  const vmas: Vma[] = [];
  records.forEach((raw, i) => {
    const where = `layout record ${i}`;
    if (typeof raw !== "object" || raw === null) {
      throw new VmaRecordError(`${where}: not an object`);
    }
    const record = raw as Record<string, unknown>;
    const range = /^([0-9a-f]{1,13})-([0-9a-f]{1,13})$/i.exec(String(record.range ?? ""));
    const perms = parsePerms(String(record.perms ?? ""));
    if (!range) throw new VmaRecordError(`${where}: bad range ${JSON.stringify(record.range)}`);
    if (!perms) throw new VmaRecordError(`${where}: bad perms ${JSON.stringify(record.perms)}`);
    const name = typeof record.name === "string" ? record.name : "";
    const offsetText = String(record.offset ?? "0x0");
    if (!/^0x[0-9a-f]+$/i.test(offsetText)) {
      throw new VmaRecordError(`${where}: bad offset ${JSON.stringify(record.offset)}`);
    }
    const flags = record.flags ?? [];
    if (!Array.isArray(flags) || !flags.every((f) => VM_FLAG_NAMES.includes(f as VmFlagName))) {
      throw new VmaRecordError(`${where}: bad flags ${JSON.stringify(record.flags)}`);
    }
    const start = parseInt(range[1], 16);
    const end = parseInt(range[2], 16);
    let vma: Vma;
    try {
      vma = makeVma({
        start,
        end,
        prot: perms.prot,
        shared: perms.shared,
        path: name.startsWith("/") ? name : "",
        offset: name.startsWith("/") ? parseInt(offsetText.slice(2), 16) : 0,
        name: name.startsWith("/") ? "" : name,
        flags: (flags as VmFlagName[]).reduce((bits, f) => bits | VmFlag[f], 0),
      });
    } catch (error) {
      throw new VmaRecordError(`${where}: ${(error as Error).message}`);
    }
    const previous = vmas.at(-1);
    if (previous && vma.start < previous.end) {
      throw new VmaRecordError(`${where}: overlaps or precedes the record before`);
    }
    vmas.push(vma);
  });
  return vmas;
}
