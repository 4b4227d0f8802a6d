/**
 * Reads `/proc/PID/maps` text into VMAs, refusing anything malformed with an error that names
 * the file and the line, so that a run never starts from a half-read layout.
 *
 * @example
 * ```ts
 * import { parseMaps } from "./maps_parser.ts";
 * const vmas = parseMaps(
 *   "55d0c0000000-55d0c0002000 r--p 00000000 fe:00 12 /usr/bin/cat\n",
 *   "example.maps",
 * );
 * console.log(vmas.length, vmas[0].path); // 1 /usr/bin/cat
 * ```
 *
 * @module
 */

import { TASK_SIZE } from "../mm.ts";
import { makeVma, PAGE_SIZE, parsePerms, type Vma, VmFlag } from "../vma.ts";

/** A layout that cannot be used: bad syntax, overlap, unknown name. One line, no stack. */
export class LayoutError extends Error {
  override name = "LayoutError";
}

const LINE =
  /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+:[0-9a-f]+)\s+(\d+)(?:\s+(.*))?$/i;

/** Names of the kernel's special mappings, which never merge. */
const SPECIAL_NAMES = new Set(["[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]", "[uprobes]"]);

/**
 * The VM flags a maps line shows through its label: maps prints no flags, but the kernel
 * names the process stack `[stack]`, and that VMA is VM_GROWSDOWN on x86.
 */
function flagsOfLabel(label: string): number {
  if (SPECIAL_NAMES.has(label)) return VmFlag.special;
  return label === "[stack]" ? VmFlag.growsdown : 0;
}

/**
 * Parse maps text. `[vsyscall]` (outside the mm's tree in the kernel too) is skipped; every
 * other line must be a page-aligned, non-empty range above the previous one.
 */
export function parseMaps(text: string, fileName: string): Vma[] {
  const vmas: Vma[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trimEnd();
    if (line.trim() === "") continue;
    const where = `${fileName}:${i + 1}`;
    const match = LINE.exec(line.trim());
    if (!match) throw new LayoutError(`${where}: not a maps line: "${line.slice(0, 60)}"`);
    const label = (match[7] ?? "").trim();
    if (label === "[vsyscall]") continue;
    if (match[1].length > 13 || match[2].length > 13) {
      throw new LayoutError(`${where}: address beyond the user address space`);
    }
    const start = parseInt(match[1], 16);
    const end = parseInt(match[2], 16);
    const perms = parsePerms(match[3]);
    if (!perms) throw new LayoutError(`${where}: bad permissions "${match[3]}"`);
    if (start % PAGE_SIZE !== 0 || end % PAGE_SIZE !== 0 || start >= end || end > TASK_SIZE) {
      throw new LayoutError(`${where}: range ${match[1]}-${match[2]} is empty or not page-aligned`);
    }
    const previous = vmas.at(-1);
    if (previous && start < previous.end) {
      throw new LayoutError(`${where}: range ${match[1]}-${match[2]} overlaps the line before`);
    }
    const isFile = label.startsWith("/");
    vmas.push(makeVma({
      start,
      end,
      prot: perms.prot,
      shared: perms.shared,
      path: isFile ? label : "",
      offset: isFile ? parseInt(match[4], 16) : 0,
      name: isFile ? "" : label,
      flags: flagsOfLabel(label),
    }));
  }
  if (vmas.length === 0) throw new LayoutError(`${fileName}: no mappings`);
  return vmas;
}
