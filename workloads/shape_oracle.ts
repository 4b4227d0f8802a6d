/**
 * The shape oracle: a second tree, of another version (usually the kernel's own C tree,
 * `kernel-6.1`), that follows an mm's tree write for write, so that after every write the
 * two trees' height and node census can be compared. A fault that keeps every answer right
 * but grows the tree differently (nodes split too early, a rebalance that never happens, a
 * leaf left half full) passes the reference model's checks; it does not pass this one.
 *
 * What is compared, and when:
 * - after every write (`follow`): height and node counts by kind;
 * - across a dup (`afterDup`), the oracle's child is made the way the tested tree says its
 *   copy was made (`dupReport.strategy`), from the copy's own entries: `bulk` (6.1's
 *   `dup_mmap`: expected entries, then in-order stores through one cursor), `store` (in-order
 *   plain stores). Copying the oracle by its own dup would be wrong whenever the two versions
 *   fork differently (6.1 rebuilds, 6.8 copies node by node). A `structural` copy (node by
 *   node) cannot be mirrored through the contract: its shape is checked against its source's
 *   (a faithful copy keeps it, unless entries were left out) and the child is not followed
 *   further. The parent keeps its oracle.
 *
 * A difference is a {@linkcode ShapeMismatchError}, a kind of
 * {@linkcode DifferentialMismatchError}, so a probe reports it as `wrong`.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { ShapeOracle } from "./shape_oracle.ts";
 * const { module } = await loadVersion("head");
 * const tested = module.createTree<number>({ allocRange: true });
 * const oracle = ShapeOracle.create<number>({ name: "head", module });
 * for (let i = 0; i < 40; i++) {
 *   tested.store(i * 0x2000, i * 0x2000 + 0xfff, i);
 *   oracle.follow(i * 0x2000, i * 0x2000 + 0xfff, i, tested, () => "building");
 * }
 * console.log(oracle.shape()); // { height: 2, leaves: ..., total: ... }
 * ```
 *
 * @module
 */

import type { MapleCursor, MapleModule, MapleTree } from "../core/contract.ts";
import { DifferentialMismatchError } from "./check_errors.ts";

/**
 * The tested tree grew differently from the oracle's: same answers, another shape.
 *
 * @example
 * ```ts
 * import { ShapeMismatchError } from "./shape_oracle.ts";
 * const error = new ShapeMismatchError("shape differs from kernel-6.1 after store of 1000-1fff");
 * console.log(error.name); // ShapeMismatchError
 * ```
 */
export class ShapeMismatchError extends DifferentialMismatchError {
  override name = "ShapeMismatchError";
}

/** Which version the oracle is, by name (for messages) and module (for its trees). */
export interface ShapeOracleSpec {
  readonly name: string;
  readonly module: MapleModule;
}

/** A tree's height and node census. */
export interface Shape {
  readonly height: number;
  readonly leaves: number;
  readonly ranges: number;
  readonly aranges: number;
  readonly total: number;
}

/**
 * The shape of `tree`.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { shapeOf } from "./shape_oracle.ts";
 * const tree = (await loadVersion("head")).module.createTree<number>();
 * tree.store(10, 20, 1);
 * console.log(shapeOf(tree).height); // 1
 * ```
 */
export function shapeOf<T>(tree: MapleTree<T>): Shape {
  const { leaves, ranges, aranges, total } = tree.nodeCounts();
  return { height: tree.height(), leaves, ranges, aranges, total };
}

/**
 * Whether two shapes are the same.
 *
 * @example
 * ```ts
 * import { sameShape } from "./shape_oracle.ts";
 * const s = { height: 1, leaves: 1, ranges: 0, aranges: 0, total: 1 };
 * console.log(sameShape(s, { ...s }), sameShape(s, { ...s, height: 2 })); // true false
 * ```
 */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.height === b.height && a.leaves === b.leaves && a.ranges === b.ranges &&
    a.aranges === b.aranges && a.total === b.total;
}

/**
 * A shape in words: `height 3, 14 nodes (12 leaves, 2 aranges)`.
 *
 * @example
 * ```ts
 * import { formatShape } from "./shape_oracle.ts";
 * console.log(formatShape({ height: 2, leaves: 3, ranges: 0, aranges: 1, total: 4 }));
 * // height 2, 4 nodes (3 leaves, 1 arange)
 * ```
 */
export function formatShape(shape: Shape): string {
  const kinds = [
    [shape.leaves, "leaf", "leaves"],
    [shape.ranges, "range", "ranges"],
    [shape.aranges, "arange", "aranges"],
  ] as const;
  const parts = kinds.filter(([n]) => n > 0).map(([n, one, many]) =>
    `${n} ${n === 1 ? one : many}`
  );
  return `height ${shape.height}, ${shape.total} node${shape.total === 1 ? "" : "s"}` +
    (parts.length > 0 ? ` (${parts.join(", ")})` : "");
}

function hex(n: number): string {
  return n.toString(16);
}

/**
 * One oracle tree following one tested tree; see the module documentation.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { ShapeOracle } from "./shape_oracle.ts";
 * const { module } = await loadVersion("head");
 * const oracle = ShapeOracle.create<string>({ name: "head", module });
 * const tested = module.createTree<string>({ allocRange: true });
 * tested.store(0x1000, 0x1fff, "a");
 * oracle.follow(0x1000, 0x1fff, "a", tested, () => "one store"); // same shape: no throw
 * ```
 */
export class ShapeOracle<T> {
  readonly spec: ShapeOracleSpec;
  readonly tree: MapleTree<T>;
  #cursor: MapleCursor<T> | undefined;

  private constructor(spec: ShapeOracleSpec, tree: MapleTree<T>) {
    this.spec = spec;
    this.tree = tree;
  }

  /** An oracle over a new, empty allocation tree of `spec`'s version (a VMA tree's kind). */
  static create<T>(spec: ShapeOracleSpec, allocRange = true): ShapeOracle<T> {
    return new ShapeOracle(spec, spec.module.createTree<T>({ allocRange }));
  }

  /** The oracle tree's shape now. */
  shape(): Shape {
    return shapeOf(this.tree);
  }

  /**
   * Mirror a write the tested tree just made (through a preallocated cursor, as the mm
   * writes) and compare the shapes; throws {@linkcode ShapeMismatchError}.
   */
  follow(
    first: number,
    last: number,
    value: T | undefined,
    tested: MapleTree<T>,
    operation: () => string,
  ): void {
    const cursor = this.#cursor ??= this.tree.cursor();
    cursor.setRange(first, last);
    cursor.preallocate(value);
    cursor.store(value);
    cursor.destroy();
    this.compare(
      tested,
      () => `${value === undefined ? "erase" : "store"} of ${hex(first)}-${hex(last)}`,
      operation,
    );
  }

  /** Compare `tested`'s shape with the oracle's; `write` and `operation` name the moment. */
  compare(tested: MapleTree<T>, write: () => string, operation: () => string): void {
    const got = shapeOf(tested);
    const want = this.shape();
    if (sameShape(got, want)) return;
    throw new ShapeMismatchError(
      `shape differs from ${this.spec.name} after ${write()} during ${operation()}: ` +
        `tree ${formatShape(got)}, ${this.spec.name} ${formatShape(want)}`,
    );
  }

  /**
   * The oracle for `child`, which the tested `parent` just made by dup (see the module
   * documentation): rebuilt from the copy's entries the way the copy says it was made and
   * compared, or, after a structural copy, `undefined` once the copy's shape has been
   * checked against its source's. Throws {@linkcode ShapeMismatchError}.
   */
  afterDup(
    parent: MapleTree<T>,
    child: MapleTree<T>,
    operation: () => string,
  ): ShapeOracle<T> | undefined {
    const strategy = child.dupReport?.strategy;
    if (strategy === "structural") {
      // A node-by-node copy keeps its source's shape, unless entries were left out (they are
      // erased from the copy afterwards, which may merge or rebalance nodes).
      if (child.count() === parent.count()) {
        const got = shapeOf(child);
        const want = shapeOf(parent);
        if (!sameShape(got, want)) {
          throw new ShapeMismatchError(
            `a structural dup changed the shape during ${operation()}: ` +
              `source ${formatShape(want)}, copy ${formatShape(got)}`,
          );
        }
      }
      return undefined;
    }
    const copy = ShapeOracle.create<T>(this.spec, this.tree.allocRange);
    if (strategy === "bulk") {
      const cursor = copy.tree.cursor();
      cursor.expectedEntries(child.count());
      for (const entry of child.entries()) {
        cursor.setRange(entry.first, entry.last);
        cursor.store(entry.value);
      }
      cursor.destroy();
    } else {
      for (const entry of child.entries()) copy.tree.store(entry.first, entry.last, entry.value);
    }
    copy.compare(child, () => `a ${strategy ?? "plain"} dup`, operation);
    return copy;
  }

  /** Tear the oracle tree down with its mm's. */
  clear(): void {
    this.tree.clear();
  }
}
