/**
 * Copying a tree for fork, as 6.1's `dup_mmap` does (facts §8.1): promise
 * `expectedEntries(count)` nodes, store every entry in address order through one bulk
 * cursor, then `destroy()` (fix-up, free the rest).
 *
 * @example
 * ```ts
 * import { MapleTreeImpl } from "./tree.ts";
 * const tree = new MapleTreeImpl<number>({ allocRange: true });
 * for (let i = 0; i < 30; i++) tree.store(i * 0x3000, i * 0x3000 + 0x1fff, i);
 * const child = tree.dup();
 * console.log(child.count(), child.dupReport?.strategy); // 30 "bulk"
 * ```
 *
 * @module
 */

import type { DupReport } from "../contract.ts";
import type { TreeCore } from "./core.ts";
import { LeafWalker } from "./read.ts";
import type { MapleCursorImpl } from "./cursor.ts";

/** What dup needs of a tree (tree.ts provides it; kept as an interface to avoid a cycle). */
export interface DupTarget<T> {
  readonly core: TreeCore;
  cursor(first?: number, last?: number): MapleCursorImpl<T>;
  count(): number;
  store(first: number, last: number, value: T | undefined): void;
}

/** 6.1's bulk copy into the empty tree `child`; returns the pool report. */
export function dupBulk<T>(
  source: DupTarget<T>,
  child: DupTarget<T>,
  copy: (value: T) => T | undefined,
): DupReport {
  const count = source.count();
  const cursor = child.cursor();
  cursor.expectedEntries(count);
  try {
    const w = new LeafWalker();
    w.seek(source.core, 0);
    do {
      const value = w.value;
      if (value === undefined) continue;
      const copied = copy(value as T);
      if (copied === undefined) continue;
      cursor.setRange(w.lo, w.hi);
      cursor.store(copied);
    } while (w.forward());
    return {
      strategy: "bulk",
      expectedEntries: count,
      promised: cursor.promisedCount,
      taken: cursor.pool.taken,
      extra: cursor.pool.extra,
    };
  } finally {
    cursor.destroy();
  }
}
