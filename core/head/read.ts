/**
 * The read path: load, and a leaf walker that steps slot by slot across leaves (facts §3).
 *
 * Loads descend with a linear pivot scan and allocate nothing. The walker keeps a path so
 * that stepping to the next or previous slot only climbs as far as needed; because empty
 * ranges never repeat, finding the next entry inspects at most two slots.
 *
 * @example
 * ```ts
 * import { TreeCore } from "./core.ts";
 * import { write } from "./write.ts";
 * import { load, LeafWalker } from "./read.ts";
 * const core = new TreeCore(false, null);
 * write(core, core.pool, 10, 19, "a", false);
 * console.log(load(core, 15)); // "a"
 * const w = new LeafWalker();
 * w.seek(core, 15);
 * console.log(w.lo, w.hi); // 10 19
 * ```
 *
 * @module
 */

import { MAX, type TreeCore } from "./core.ts";
import { Arena, KIND, LEAF, STRIDE } from "./node.ts";
import { nextNode, Path, prevNode, walkTo } from "./path.ts";

/**
 * Value covering `index`: a linear pivot scan per level, no allocation. Internal nodes count
 * the pivots below `index` (no data-dependent branch: pivots increase up to `end`, so the
 * count is the slot) and leaves stop at the first pivot at or above it, as the searches in
 * gaps.ts do; `end` is read as an int32 so the slot indices stay integers (measured: the
 * bench's load-random went from about 137 to 113 ns).
 */
export function load(core: TreeCore, index: number): unknown {
  let node = core.root;
  if (node === 0) return index === 0 ? core.rootValue : undefined;
  const a = core.allocator.arena;
  const piv = a.piv;
  const slots = a.slots;
  const meta = a.meta;
  for (;;) {
    const b = node * STRIDE;
    const end = piv[b] | 0;
    let off = 0;
    if ((meta[node] & KIND) === LEAF) {
      while (off < end && piv[b + 1 + off] < index) off++;
      return slots[b + off];
    }
    for (let k = b + 1; k <= b + end; k++) off += +(piv[k] < index);
    node = slots[b + off] as number;
  }
}

/** A position on one slot of a leaf, with the slot's range. */
export class LeafWalker {
  readonly path: Path = new Path();
  /** Stands in for the leaf of a node-less tree. */
  readonly #virtual: Arena = new Arena(1);
  arena: Arena = this.#virtual;
  leaf = 0;
  off = 0;
  depth = 0;
  /** Range of the current slot. */
  lo = 0;
  hi = 0;
  /** Tree version at the last seek; a different one means the path is stale. */
  version = -1;

  /** Position on the slot holding `index`. */
  seek(core: TreeCore, index: number): void {
    const root = core.root;
    if (root === 0) {
      const v = this.#virtual;
      const leaf = 1;
      v.meta[leaf] = LEAF;
      const b = leaf * STRIDE;
      v.slots[b] = core.rootValue;
      v.slots[b + 1] = undefined;
      v.piv[b] = core.rootValue === undefined ? 0 : 1;
      v.piv[b + 1] = 0;
      const path = this.path;
      path.node[0] = leaf;
      path.min[0] = 0;
      path.max[0] = MAX;
      this.arena = v;
      this.depth = 0;
      this.leaf = leaf;
      this.off = index > 0 && v.piv[b] === 1 ? 1 : 0;
    } else {
      const a = core.arena;
      walkTo(a, root, core.height, this.path, index);
      this.arena = a;
      this.depth = core.height - 1;
      this.leaf = this.path.node[this.depth];
      this.off = this.path.off[this.depth];
    }
    this.version = core.version;
    this.#bounds();
  }

  /** Value of the current slot. */
  get value(): unknown {
    return this.arena.slots[this.leaf * STRIDE + this.off];
  }

  #bounds(): void {
    const piv = this.arena.piv;
    const b = this.leaf * STRIDE;
    const off = this.off;
    this.lo = off > 0 ? piv[b + off] + 1 : this.path.min[this.depth];
    this.hi = off < piv[b] ? piv[b + 1 + off] : this.path.max[this.depth];
  }

  /** Step to the next slot; false at the end of the index space. */
  forward(): boolean {
    if (this.off < this.arena.piv[this.leaf * STRIDE]) {
      this.off++;
    } else {
      if (this.depth === 0 || !nextNode(this.arena, this.path, this.depth)) return false;
      this.leaf = this.path.node[this.depth];
      this.off = 0;
    }
    this.#bounds();
    return true;
  }

  /** Step to the previous slot; false at index 0. */
  backward(): boolean {
    if (this.off > 0) {
      this.off--;
    } else {
      if (this.depth === 0 || !prevNode(this.arena, this.path, this.depth)) return false;
      this.leaf = this.path.node[this.depth];
      this.off = this.arena.piv[this.leaf * STRIDE];
    }
    this.#bounds();
    return true;
  }

  /** Move to the first entry at or after the current slot; false if none. */
  toEntryForward(): boolean {
    if (this.value !== undefined) return true;
    return this.forward() && this.value !== undefined;
  }

  /** Move to the first entry at or before the current slot; false if none. */
  toEntryBackward(): boolean {
    if (this.value !== undefined) return true;
    return this.backward() && this.value !== undefined;
  }
}
