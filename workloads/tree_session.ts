/**
 * One session of the `tree` stressor: seeded random operations on a fresh tree of the version,
 * through its own API, the way the kernel's `lib/test_maple_tree.c` drives the tree rather
 * than an address space. It reaches what no mm does: the lone entry at index 0, plain trees,
 * stores and erases over any span (the whole tree too), inserts, windows of gap searches as
 * narrow as the area sought or narrower, dups of trees no mm builds, and clears.
 *
 * Checked, every answer is compared with the reference model, and after every write the tree
 * is validated, its count compared and every live node must be a node of the tree (a
 * reservation never given back, or a node freed twice, shows at the write that made it). The
 * session ends by comparing every entry, clearing the tree and checking that no node stays
 * live. With a shape oracle (the probe's `shapeOracle`), a tree of that version follows
 * every write and the heights and node censuses must agree, as in the mm. Unchecked, the
 * operations run alone (a timed probe measures them).
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { runTreeSession } from "./tree_session.ts";
 * const { module } = await loadVersion("head");
 * runTreeSession(module, { seed: 7, ops: 300, keys: 200, allocRange: true }, true);
 * console.log("no difference");
 * ```
 *
 * @module
 */

import type { Entry, MapleModule, MapleTree } from "../core/contract.ts";
import { DifferentialMismatchError, LeakError } from "./check_errors.ts";
import { checkDupAccounting, checkWriteAccounting } from "./node_accounting.ts";
import { Mwc } from "./prng.ts";
import { RangeModel } from "./reference_model.ts";
import { ShapeOracle, type ShapeOracleSpec } from "./shape_oracle.ts";

/** What one session does. */
export interface TreeSessionSpec {
  /** Seed of the session's choices. */
  readonly seed: number;
  /** Operations in the session. */
  readonly ops: number;
  /** Keys are drawn from `[0, keys)`: a small space makes dense trees, a large one sparse. */
  readonly keys: number;
  /** An allocation tree (gaps tracked; gap searches run) or a plain one. */
  readonly allocRange: boolean;
}

/** A JSON-friendly text of an answer. */
function text(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** A session in progress: the tree, its model, and where it is. */
class Session {
  readonly #spec: TreeSessionSpec;
  readonly #checked: boolean;
  readonly #rng: Mwc;
  readonly #model = new RangeModel<number>();
  #tree: MapleTree<number>;
  /** A tree of the shape oracle's version following every write, while it can follow. */
  #shape: ShapeOracle<number> | undefined;
  #step = 0;
  #what = "setup";

  constructor(
    module: MapleModule,
    spec: TreeSessionSpec,
    checked: boolean,
    shapeOracle: ShapeOracleSpec | undefined,
  ) {
    this.#spec = spec;
    this.#checked = checked;
    this.#rng = new Mwc(spec.seed);
    this.#tree = module.createTree<number>({ allocRange: spec.allocRange });
    this.#shape = checked && shapeOracle
      ? ShapeOracle.create<number>(shapeOracle, spec.allocRange)
      : undefined;
  }

  /** The model, and the shape oracle, take the write the tree just made. */
  #wrote(first: number, last: number, value: number | undefined): void {
    this.#model.store(first, last, value);
    this.#shape?.follow(first, last, value, this.#tree, () => this.#where());
  }

  #where(): string {
    const kind = this.#spec.allocRange ? "allocation" : "plain";
    return `tree session seed ${this.#spec.seed}, op ${this.#step} (${this.#what}), ` +
      `${kind} tree over ${this.#spec.keys} keys`;
  }

  #mismatch(what: string): never {
    throw new DifferentialMismatchError(`${what} (during ${this.#where()})`);
  }

  #same(name: string, got: unknown, want: unknown): void {
    if (this.#checked && text(got) !== text(want)) {
      this.#mismatch(`${name} gave ${text(got)} but the model ${text(want)}`);
    }
  }

  #key(): number {
    return this.#rng.below(this.#spec.keys);
  }

  /** A span: mostly short, sometimes long, now and then the whole key space. */
  #span(): [number, number] {
    const rng = this.#rng;
    if (rng.chance(0.01)) return [0, this.#spec.keys - 1];
    const first = rng.chance(0.05) ? 0 : this.#key();
    const length = rng.chance(0.8) ? rng.below(4) : rng.below(Math.ceil(this.#spec.keys / 4));
    return [first, Math.min(this.#spec.keys - 1, first + length)];
  }

  /** After a write: the tree is valid, counts what the model counts, and holds no stray node. */
  #afterWrite(pooled = 0): void {
    if (!this.#checked) return;
    const tree = this.#tree;
    tree.validate();
    this.#same("count()", tree.count(), this.#model.count());
    checkWriteAccounting(tree, pooled, `during ${this.#where()}`);
  }

  /** One random operation. */
  step(value: number): void {
    const rng = this.#rng;
    const tree = this.#tree;
    const model = this.#model;
    const roll = rng.below(100);
    if (roll < 28) {
      const [first, last] = this.#span();
      const stored = rng.chance(0.2) ? undefined : value;
      this.#what = `store ${first}-${last} = ${stored ?? "nothing"}`;
      tree.store(first, last, stored);
      this.#wrote(first, last, stored);
      this.#afterWrite();
    } else if (roll < 40) {
      const [first, last] = this.#span();
      const stored = rng.chance(0.2) ? undefined : value;
      this.#what = `cursor store ${first}-${last} = ${stored ?? "nothing"}`;
      const cursor = tree.cursor().setRange(first, last);
      cursor.preallocate(stored);
      const old = cursor.store(stored);
      cursor.destroy();
      this.#same("the old value", old, model.load(first));
      this.#wrote(first, last, stored);
      this.#afterWrite(cursor.pooled);
    } else if (roll < 47) {
      const [first, last] = this.#span();
      this.#what = `insert ${first}-${last} = ${value}`;
      const free = model.entries(first, last).length === 0;
      this.#same("insert", tree.insert(first, last, value), free);
      if (free) this.#wrote(first, last, value);
      this.#afterWrite();
    } else if (roll < 57) {
      const index = this.#key();
      this.#what = `erase ${index}`;
      const covering = model.entries(index, index)[0];
      this.#same("erase", tree.erase(index), covering?.value);
      if (covering) this.#wrote(covering.first, covering.last, undefined);
      this.#afterWrite();
    } else if (roll < 67) {
      const index = this.#key();
      this.#what = `load ${index}`;
      this.#same("load", tree.load(index), model.load(index));
    } else if (roll < 74) {
      const [first, last] = this.#span();
      this.#what = `find ${first} up to ${last}`;
      const want = model.entries(first, last)[0];
      this.#same("find", entryText(tree.find(first, last)), entryText(want));
    } else if (roll < 94) {
      if (!this.#spec.allocRange) return this.step(value);
      this.#gapSearch();
    } else if (roll < 97) {
      this.#dup();
    } else if (roll < 98) {
      this.#what = "clear";
      tree.clear();
      model.clear();
      this.#shape?.clear();
      this.#afterWrite();
    } else {
      this.#what = "entries";
      this.#compareAll();
    }
  }

  /** A gap search, up or down, in a window from two keys wide to a quarter of the space. */
  #gapSearch(): void {
    const rng = this.#rng;
    // Windows start anywhere, or right at the end of an entry, where an off-by-one in the
    // search's lower bound shows. The contract wants min < max (the kernel: -EINVAL).
    const entries = this.#model.entries();
    const edge = entries.length > 0 && rng.chance(0.3)
      ? entries[rng.below(entries.length)].last + 1
      : this.#key();
    const min = Math.min(edge, this.#spec.keys - 2);
    const width = rng.chance(0.5) ? rng.below(8) : rng.below(Math.ceil(this.#spec.keys / 4));
    const max = Math.min(this.#spec.keys - 1, min + 1 + width);
    // Sizes up to the window's width, often exactly it: a larger one is where releases part
    // (6.1 answers with an area below the window, 6.5 on with -EINVAL), which no caller uses.
    const size = rng.chance(0.25) ? max - min + 1 : 1 + rng.below(max - min + 1);
    const down = rng.chance(0.5);
    this.#what = `${down ? "emptyAreaRev" : "emptyArea"} ${min} ${max} ${size}`;
    const got = down
      ? this.#tree.emptyAreaRev(min, max, size)
      : this.#tree.emptyArea(min, max, size);
    const want = down
      ? this.#model.emptyAreaRev(min, max, size)
      : this.#model.emptyArea(min, max, size);
    this.#same(down ? "emptyAreaRev" : "emptyArea", got, want);
  }

  /**
   * Copy the tree, leaving out now and then the entries a copy callback refuses (as a fork
   * leaves out VM_DONTCOPY), check the copy's node accounting and entries, and go on with the
   * copy (the original is torn down).
   */
  #dup(): void {
    const sourceEntries = this.#model.count();
    const dropEvery = this.#rng.chance(0.3) ? 2 + this.#rng.below(6) : 0;
    const kept = (value: number) => dropEvery === 0 || value % dropEvery !== 0;
    this.#what = dropEvery ? `dup leaving out values divisible by ${dropEvery}` : "dup";
    const child = this.#tree.dup((value) => kept(value) ? value : undefined);
    const old = this.#tree;
    this.#tree = child;
    if (this.#checked) checkDupAccounting(child, sourceEntries, this.#where());
    this.#shape = this.#shape?.afterDup(old, child, () => this.#where());
    for (const entry of this.#model.entries()) {
      if (!kept(entry.value)) this.#model.store(entry.first, entry.last, undefined);
    }
    this.#compareAll();
    this.#afterWrite();
    old.clear();
    this.#noneLive(old, "the dup's source after clear()");
  }

  #compareAll(): void {
    if (!this.#checked) return;
    const got = [...this.#tree.entries()].map(entryText);
    const want = this.#model.entries().map(entryText);
    if (got.length !== want.length) {
      this.#mismatch(`the tree holds ${got.length} entries, the model ${want.length}`);
    }
    const at = got.findIndex((entry, i) => entry !== want[i]);
    if (at >= 0) this.#mismatch(`entry ${at} is ${got[at]}, the model's ${want[at]}`);
  }

  #noneLive(tree: MapleTree<number>, what: string): void {
    if (!this.#checked) return;
    const { live } = tree.allocatorStats();
    if (live !== 0) {
      throw new LeakError(`${live} nodes still live in ${what} (during ${this.#where()})`, live);
    }
  }

  /** The session: every operation, then the final comparison and teardown. */
  run(): void {
    for (this.#step = 0; this.#step < this.#spec.ops; this.#step++) this.step(this.#step + 1);
    this.#what = "teardown";
    this.#compareAll();
    this.#tree.clear();
    this.#noneLive(this.#tree, "the tree after clear()");
  }
}

function entryText(entry: Entry<number> | undefined): string {
  return entry ? `${entry.first}-${entry.last}=${entry.value}` : "none";
}

/**
 * Run one session (see the module documentation); throws the check error of the first
 * difference, or whatever the tree throws.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { runTreeSession } from "./tree_session.ts";
 * const { module } = await loadVersion("head");
 * runTreeSession(module, { seed: 1, ops: 100, keys: 16, allocRange: false }, true);
 * ```
 */
export function runTreeSession(
  module: MapleModule,
  spec: TreeSessionSpec,
  checked: boolean,
  shapeOracle?: ShapeOracleSpec,
): void {
  new Session(module, spec, checked, shapeOracle).run();
}
