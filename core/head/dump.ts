/**
 * `dump()`: the tree as text, one line per node and per leaf slot, indented by depth, in the
 * spirit of the kernel's `mt_dump` (facts §9.2).
 *
 * @example
 * ```ts
 * import { MapleTreeImpl } from "./tree.ts";
 * const tree = new MapleTreeImpl<string>({ allocRange: true });
 * tree.store(10, 19, "a");
 * console.log(tree.dump());
 * ```
 *
 * @module
 */

import { MAX_INDEX } from "../contract.ts";
import type { TreeCore } from "./core.ts";
import { ARANGE, type Arena, AT_BITS, AT_SHIFT, KIND, LEAF, STRIDE } from "./node.ts";

const KIND_NAMES: Record<number, string> = {
  [LEAF]: "leaf_64",
  [ARANGE]: "arange_64",
  2: "range_64",
};

function show(value: unknown): string {
  if (value === undefined) return "(nil)";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return "[object]";
    }
  }
  return String(value);
}

function range(lo: number, hi: number): string {
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
}

/** Text dump of the whole tree. */
export function dumpTree(core: TreeCore): string {
  const flags = `${core.allocRange ? "alloc" : "plain"}, height ${core.height}`;
  const lines = [`maple_tree(${flags})`];
  if (core.root === 0) {
    lines.push(core.rootValue === undefined ? "(empty)" : `0: ${show(core.rootValue)}`);
    return lines.join("\n");
  }
  dumpNode(core.arena, core.root, 0, MAX_INDEX, 0, lines);
  return lines.join("\n");
}

function dumpNode(
  a: Arena,
  node: number,
  min: number,
  max: number,
  depth: number,
  lines: string[],
): void {
  const pad = "  ".repeat(depth);
  const b = node * STRIDE;
  const end = a.piv[b];
  const kind = a.meta[node] & KIND;
  let contents = "";
  if (kind === ARANGE) {
    const g = a.gapBase(node);
    const gaps = a.gaps.slice(g, g + end + 1).join(" ");
    contents = `gaps ${gaps} | end ${end} gap-offset ${(a.meta[node] & AT_BITS) >> AT_SHIFT} | `;
  }
  const pivots = a.piv.slice(b + 1, b + 1 + end).join(" ");
  lines.push(
    `${pad}${range(min, max)}: node n${node} depth ${depth} type ${
      KIND_NAMES[kind]
    } ${contents}pivots ${pivots}`,
  );
  let lo = min;
  for (let i = 0; i <= end; i++) {
    const hi = i < end ? a.piv[b + 1 + i] : max;
    if (kind === LEAF) lines.push(`${pad}  ${range(lo, hi)}: ${show(a.slots[b + i])}`);
    else dumpNode(a, a.slots[b + i] as number, lo, hi, depth + 1, lines);
    lo = hi + 1;
  }
}
