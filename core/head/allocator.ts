/**
 * Node allocation: a counting allocator per tree and a node pool per cursor.
 *
 * The allocator plays the kernel's `kmem_cache` (facts §10.2): it hands out node ids from
 * the tree's arena, counts allocations, frees and live nodes, and can be given a budget,
 * after which it refuses with {@linkcode MapleAllocationError}. Freed ids are reused.
 *
 * The pool plays `mas->alloc` (facts §6.1): nodes requested up front for one operation, or
 * promised for a preallocated store or a bulk load. While a pool is *promised* it is never
 * topped up (the kernel's MA_STATE_PREALLOC rule, facts §6.3); popping an empty pool raises
 * {@linkcode MapleAllocationError} instead of handing out nothing.
 *
 * @example
 * ```ts
 * import { NodeAllocator, NodePool } from "./allocator.ts";
 * const allocator = new NodeAllocator(null, 8);
 * const pool = new NodePool(allocator);
 * pool.fill(3);
 * const node = pool.pop();
 * pool.release();
 * allocator.free(node);
 * console.log(allocator.live); // 0
 * ```
 *
 * @module
 */

import { MapleAllocationError } from "../contract.ts";
import { ABSORBED, Arena, FREE, STRIDE, USE_BITS } from "./node.ts";

/** Counts every node a tree takes and gives back. */
export class NodeAllocator {
  allocations = 0;
  frees = 0;
  /** Remaining allocations allowed; `null` = unlimited. */
  budget: number | null;
  /** Where the nodes live. */
  readonly arena: Arena;
  /** Freed ids, made on the first free (a fork's copy of a tree that never freed has none). */
  #freeList: number[] | null = null;

  /**
   * @param budget allocations allowed, `null` for no limit
   * @param capacity nodes to make room for up front (0: none until the first node)
   */
  constructor(budget: number | null, capacity = 0) {
    this.budget = budget;
    this.arena = new Arena(capacity);
  }

  /** Nodes handed out and not given back. */
  get live(): number {
    return this.allocations - this.frees;
  }

  /** Whether `count` more allocations fit in the budget. */
  canAllocate(count: number): boolean {
    return this.budget === null || this.budget >= count;
  }

  /**
   * Take over a copy of `src`'s arena: its live nodes count as allocated here, its free
   * ids stay free. Refuses, changing nothing, when the budget cannot cover the live nodes.
   */
  copyFrom(src: NodeAllocator): void {
    const live = src.live;
    if (this.budget !== null && this.budget < live) {
      throw new MapleAllocationError(
        `copying ${live} nodes needs ${live - this.budget} more than the budget allows`,
        live - this.budget,
      );
    }
    if (this.budget !== null) this.budget -= live;
    this.arena.copyFrom(src.arena);
    const free = src.#freeList;
    this.#freeList = free === null || free.length === 0 ? null : free.slice();
    this.allocations += live;
  }

  /** A zeroed node id; throws when the budget is spent. May grow (move) the arena arrays. */
  alloc(): number {
    if (this.budget !== null) {
      if (this.budget <= 0) throw new MapleAllocationError("node budget exhausted", 1);
      this.budget--;
    }
    this.allocations++;
    const reused = this.#freeList === null ? undefined : this.#freeList.pop();
    if (reused === undefined) return this.arena.take();
    // A freed node already holds no values (free() dropped them); its kind and flags are
    // reset here. Its stale pivots and gaps are not zeroed: every node taken from a pool is
    // initialised in full by fillNode (split.ts) before the tree links it, so zeroing them
    // as the slab does (facts §6.1) would write every field twice.
    const meta = this.arena.meta;
    meta[reused] &= ~USE_BITS;
    return reused;
  }

  /** Give a node back. */
  free(id: number): void {
    const arena = this.arena;
    if ((arena.meta[id] & FREE) !== 0) throw new Error(`double free of node n${id}`);
    // Drop the values the node held, so they can be collected. Slots past `end` are empty
    // already (facts §1.3), and so is every slot of a pooled node that was never filled.
    const slots = arena.slots;
    const b = id * STRIDE;
    const last = b + arena.piv[b];
    for (let i = b; i <= last; i++) slots[i] = undefined;
    arena.meta[id] = (arena.meta[id] & ~(FREE | ABSORBED)) | FREE;
    arena.releaseGaps(id);
    this.frees++;
    (this.#freeList ??= []).push(id);
  }
}

/** The nodes one cursor holds for its next operation(s). */
export class NodePool {
  readonly #allocator: NodeAllocator;
  readonly #nodes: number[] = [];
  /** Nodes promised up front (preallocate / bulk): the pool is not topped up. */
  promised = false;
  /** Nodes popped since the pool was promised. */
  taken = 0;
  /** Nodes allocated on demand beyond the promise (0 in this version: it never tops up). */
  extra = 0;

  /** @param allocator the tree's allocator */
  constructor(allocator: NodeAllocator) {
    this.#allocator = allocator;
  }

  /** Nodes held. */
  get count(): number {
    return this.#nodes.length;
  }

  /**
   * Make sure the pool holds at least `request` nodes, allocating all of the shortfall
   * before any of it is used, so that a failed request changes nothing.
   */
  fill(request: number): void {
    const missing = request - this.#nodes.length;
    if (missing <= 0) return;
    const allocator = this.#allocator;
    if (!allocator.canAllocate(missing)) {
      throw new MapleAllocationError(
        `node budget cannot cover a request of ${request} nodes (${missing} missing)`,
        missing - (allocator.budget ?? 0),
      );
    }
    allocator.arena.reserve(missing);
    for (let i = 0; i < missing; i++) this.#nodes.push(allocator.alloc());
  }

  /**
   * Ensure `request` nodes for one operation. A promised pool is never topped up: the
   * operation must make do with what was promised (facts §6.3).
   */
  request(request: number): void {
    if (this.promised) return;
    this.fill(request);
  }

  /** Take a zeroed node; an empty pool is an error, never a silent "no node". */
  pop(): number {
    const id = this.#nodes.pop();
    if (id === undefined) {
      throw new MapleAllocationError(
        this.promised
          ? "promised node pool ran dry (the estimate was too small)"
          : "node pool ran dry",
        1,
      );
    }
    if (this.promised) this.taken++;
    return id;
  }

  /** Return a node the operation no longer needs (the kernel recycles in non-RCU mode). */
  push(id: number): void {
    const arena = this.#allocator.arena;
    if ((arena.meta[id] & USE_BITS) !== 0) arena.clear(id);
    this.#nodes.push(id);
  }

  /** Give every pooled node back to the allocator and leave promised mode. */
  release(): void {
    const nodes = this.#nodes;
    while (nodes.length > 0) this.#allocator.free(nodes.pop() as number);
    this.promised = false;
  }
}
