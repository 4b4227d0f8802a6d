/**
 * Two versions side by side under the same seeded random operations of every contract kind
 * (stores, erases, inserts, cursor writes with preallocation, bulk loads, dups, clears, and
 * every read and gap search), on both tree kinds: every answer, every thrown error's class,
 * and after every write the height, node census, allocator counters and count are compared.
 * The first difference is returned.
 *
 * The mutation tester uses it on a mutant that no probe killed: with no difference from its
 * original in many thousands of operations, the mutant is most likely equivalent (the change
 * cannot be observed through the contract), not a blind spot of the matrix; with one, the
 * difference shows what the matrix missed.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { compareTwins } from "./twin.ts";
 * const { module } = await loadVersion("head");
 * console.log(compareTwins(module, module, { seed: 1, ops: 2_000 })); // undefined
 * ```
 *
 * @module
 */

import type { MapleCursor, MapleModule, MapleTree } from "../core/contract.ts";
import { MAX_INDEX } from "../core/contract.ts";
import { Mwc } from "./prng.ts";

/** How long a comparison runs. */
export interface TwinOptions {
  readonly seed: number;
  /** Operations per tree kind. */
  readonly ops: number;
}

/** The first difference between the twins. */
export interface TwinDifference {
  /** 0-based operation index (over both tree kinds). */
  readonly at: number;
  /** The operation, e.g. `store 1200-1263 = 17 (allocation tree)`. */
  readonly operation: string;
  /** What differed, e.g. `nodeCounts: {"leaves":4,...} vs {"leaves":5,...}`. */
  readonly what: string;
}

type Value = number;

/** Key spaces and the operations spent in each before the trees are cleared for the next. */
const EPOCHS: readonly (readonly [number, number])[] = [
  [4, 300],
  [40, 700],
  [300, 1_500],
  [2_000, 4_000],
  [20_000, 6_000],
  [200_000, 7_500],
];

/** What one side answered: a value, or the class of the error it threw. */
function attempt(run: () => unknown): string {
  try {
    return JSON.stringify(run() ?? null);
  } catch (error) {
    return `throws ${error instanceof Error ? error.name : typeof error}`;
  }
}

/** A tree, or the class of the error its making threw. */
function outcome(make: () => MapleTree<Value>): { tree?: MapleTree<Value>; error?: string } {
  try {
    return { tree: make() };
  } catch (error) {
    return { error: `throws ${error instanceof Error ? error.name : typeof error}` };
  }
}

/** One side's state after a write, as compared. */
function state(tree: MapleTree<Value>): Record<string, string> {
  return {
    height: attempt(() => tree.height()),
    nodeCounts: attempt(() => tree.nodeCounts()),
    allocator: attempt(() => {
      const { allocations, frees, live } = tree.allocatorStats();
      return { allocations, frees, live };
    }),
    count: attempt(() => tree.count()),
  };
}

/**
 * Two answers side by side, cut to where they part (long lists of entries differ in one
 * place; the rest would bury it).
 *
 * @example
 * ```ts
 * import { contrast } from "./twin.ts";
 * console.log(contrast("[1,2,3]", "[1,2,4]")); // [1,2,3] vs [1,2,4]
 * ```
 */
export function contrast(left: string, right: string): string {
  if (left.length + right.length <= 160) return `${left} vs ${right}`;
  let common = 0;
  while (common < left.length && left[common] === right[common]) common++;
  const from = Math.max(0, common - 40);
  const cut = (text: string) =>
    `${from > 0 ? "…" : ""}${text.slice(from, common + 40)}${text.length > common + 40 ? "…" : ""}`;
  return `${cut(left)} vs ${cut(right)}`;
}

class Mismatch extends Error {
  readonly what: string;
  constructor(what: string) {
    super(what);
    this.what = what;
  }
}

/**
 * Run the comparison; `undefined` when the twins never differed.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { compareTwins } from "./twin.ts";
 * const head = (await loadVersion("head")).module;
 * const reference = (await loadVersion("testing/reference")).module;
 * console.log(compareTwins(head, reference, { seed: 1, ops: 200 })?.what.split(":")[0]); // height
 * ```
 */
export function compareTwins(
  a: MapleModule,
  b: MapleModule,
  options: TwinOptions,
): TwinDifference | undefined {
  const rng = new Mwc(options.seed);
  let at = 0;
  for (const allocRange of [true, false]) {
    const kind = allocRange ? "allocation tree" : "plain tree";
    const twins: [MapleTree<Value>, MapleTree<Value>] = [
      a.createTree<Value>({ allocRange }),
      b.createTree<Value>({ allocRange }),
    ];
    let cursors: [MapleCursor<Value>, MapleCursor<Value>] | undefined;
    const same = (label: string, run: (tree: MapleTree<Value>) => unknown) => {
      const left = attempt(() => run(twins[0]));
      const right = attempt(() => run(twins[1]));
      if (left !== right) throw new Mismatch(`${label}: ${contrast(left, right)}`);
    };
    /** Make both sides' next trees; the same error class on both sides keeps the old ones. */
    const replace = (
      label: string,
      left: () => MapleTree<Value>,
      right: () => MapleTree<Value>,
    ) => {
      const made = [outcome(left), outcome(right)];
      if (made[0].error !== made[1].error) {
        throw new Mismatch(
          `${label}: ${made[0].error ?? "a tree"} vs ${made[1].error ?? "a tree"}`,
        );
      }
      if (!made[0].tree || !made[1].tree) return;
      const reports = made.map((m) => JSON.stringify(m.tree?.dupReport ?? null));
      if (reports[0] !== reports[1]) {
        throw new Mismatch(`${label}: dupReport ${reports[0]} vs ${reports[1]}`);
      }
      twins[0] = made[0].tree;
      twins[1] = made[1].tree;
      cursors = undefined;
      sameState();
    };
    const sameState = () => {
      const left = state(twins[0]);
      const right = state(twins[1]);
      for (const key of Object.keys(left)) {
        if (left[key] !== right[key]) {
          throw new Mismatch(`${key}: ${contrast(left[key], right[key])}`);
        }
      }
    };
    // Key spaces from tiny (a lone [0, 0] entry, one leaf) to large (trees four levels
    // tall), each for a stretch of operations between clears, so every size of tree is met.
    let epoch = rng.below(EPOCHS.length);
    let [keySpace, epochLeft] = EPOCHS[epoch];
    const key = () =>
      rng.chance(0.02)
        ? MAX_INDEX - rng.below(40)
        : rng.chance(0.02)
        ? rng.below(3)
        : rng.below(keySpace);
    const span = () =>
      rng.chance(0.7) ? rng.below(13) : rng.chance(0.9) ? rng.between(13, 400) : MAX_INDEX;
    const range = (): [number, number] => {
      const first = key();
      return [first, Math.min(MAX_INDEX, first + span())];
    };
    const value = () => (rng.chance(0.2) ? undefined : rng.between(1, 1_000_000));
    for (let i = 0; i < options.ops; i++, at++) {
      let operation = "";
      try {
        if (--epochLeft < 0) {
          epoch = (epoch + 1) % EPOCHS.length;
          [keySpace, epochLeft] = EPOCHS[epoch];
          operation = `clear for key space ${keySpace}`;
          same(operation, (t) => t.clear());
          sameState();
          continue;
        }
        const pick = rng.below(100);
        if (pick < 30) {
          const [first, last] = range();
          const v = value();
          operation = `store ${first}-${last} = ${v}`;
          same(operation, (t) => t.store(first, last, v));
          sameState();
        } else if (pick < 34) {
          const [first, last] = range();
          const v = rng.between(1, 9);
          operation = `insert ${first}-${last} = ${v}`;
          same(operation, (t) => t.insert(first, last, v));
          sameState();
        } else if (pick < 38) {
          const index = key();
          operation = `erase ${index}`;
          same(operation, (t) => t.erase(index));
          sameState();
        } else if (pick < 48) {
          // A cursor write the way the mm makes one: set, preallocate, store, destroy.
          const [first, last] = range();
          const v = value();
          operation = `cursor store ${first}-${last} = ${v}`;
          cursors ??= [twins[0].cursor(), twins[1].cursor()];
          const [c0, c1] = cursors;
          const step = (c: MapleCursor<Value>) => () => {
            c.setRange(first, last);
            c.preallocate(v);
            const old = c.store(v);
            c.destroy();
            return old;
          };
          const left = attempt(step(c0));
          const right = attempt(step(c1));
          if (left !== right) throw new Mismatch(`${operation}: ${contrast(left, right)}`);
          sameState();
        } else if (pick < 50) {
          // A bulk load into fresh trees, as a 6.1 fork rebuilds.
          const count = rng.between(1, 400);
          const gap = rng.pick([0, 1, 3]);
          const width = rng.between(1, 4);
          operation = `bulk load of ${count} entries (gap ${gap})`;
          const load = (module: MapleModule) => {
            const tree = module.createTree<Value>({ allocRange });
            const c = tree.cursor();
            c.expectedEntries(count);
            for (let n = 0; n < count; n++) {
              const first = n * (width + gap);
              c.setRange(first, first + width - 1);
              c.store(n + 1);
            }
            c.destroy();
            return tree;
          };
          replace(operation, () => load(a), () => load(b));
        } else if (pick < 52) {
          const drop = rng.pick([0, 0, 3, 7]);
          operation = `dup${drop ? ` leaving out every ${drop}th value` : ""}`;
          const copy = (v: Value) => (drop && v % drop === 0 ? undefined : v);
          replace(operation, () => twins[0].dup(copy), () => twins[1].dup(copy));
        } else if (pick < 53) {
          operation = "clear";
          same(operation, (t) => t.clear());
          sameState();
        } else if (pick < 60) {
          const index = key();
          operation = `load ${index}`;
          same(operation, (t) => t.load(index));
        } else if (pick < 68) {
          const [first, last] = range();
          operation = rng.pick(["find", "next", "prev", "walk"]);
          const which = operation;
          operation = `${which} ${first} ${last}`;
          same(
            operation,
            (t) =>
              which === "find"
                ? t.find(first, last)
                : which === "next"
                ? t.next(first, last)
                : which === "prev"
                ? t.prev(last, first)
                : t.walk(first),
          );
        } else if (pick < 78) {
          const [min, max] = range();
          const size = rng.between(1, 64);
          const rev = rng.chance(0.5);
          operation = `${rev ? "emptyAreaRev" : "emptyArea"} ${min} ${max} ${size}`;
          same(
            operation,
            (t) => rev ? t.emptyAreaRev(min, max, size) : t.emptyArea(min, max, size),
          );
        } else if (pick < 85) {
          const [first, last] = range();
          operation = `cursor reads from ${first}`;
          same(operation, (t) => {
            const c = t.cursor(first, last);
            const out = [c.walk(), c.index, c.last, c.next(MAX_INDEX), c.index, c.prev(0), c.last];
            out.push(c.find(MAX_INDEX), c.findRev(0));
            return out;
          });
        } else if (pick < 90) {
          const [first, last] = range();
          operation = `entries ${first}-${last}`;
          same(operation, (t) => [...t.entries(first, last)]);
        } else {
          operation = "validate";
          same(operation, (t) => t.validate());
        }
      } catch (error) {
        if (error instanceof Mismatch) {
          return { at, operation: `${operation} (${kind})`, what: error.what };
        }
        throw error;
      }
    }
  }
  return undefined;
}
