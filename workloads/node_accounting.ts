/**
 * The node accounting a write and a dup owe, whatever made them: the mm and the `tree`
 * stressor check them the same way.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { checkDupAccounting } from "./node_accounting.ts";
 * const { module } = await loadVersion("head");
 * const tree = module.createTree<number>({ allocRange: true });
 * for (let i = 0; i < 40; i++) tree.store(i * 4, i * 4 + 1, i + 1);
 * checkDupAccounting(tree.dup(), 40, "a test");
 * ```
 *
 * @module
 */

import type { MapleTree } from "../core/contract.ts";
import { NodeAccountingError } from "./check_errors.ts";

/**
 * Throw {@linkcode NodeAccountingError} when a dup's report or node accounting is wrong (the
 * maintainer's thorough check from the seed thread). Whatever the strategy, the report names
 * every entry of the source, accounts for every node the copy allocated (`taken + extra`, or
 * for a bulk copy the pool it promised plus `extra`; no other strategy promises any), and
 * every node left live is a node of
 * the copy. A bulk dup must not allocate beyond its pool (no `extra`), and the tree it built
 * cannot hold more nodes than were promised. `taken` is not compared with `promised` because a
 * pool recycles the nodes a split replaces, so a node can be taken twice (head counts pops,
 * e.g. 16 taken of 11 promised for a 48-VMA dup).
 */
export function checkDupAccounting<T>(
  tree: MapleTree<T>,
  sourceEntries: number,
  operation: string,
): void {
  const report = tree.dupReport;
  if (!report) throw new NodeAccountingError(`dup() made no dupReport (during ${operation})`);
  const fail = (what: string): never => {
    throw new NodeAccountingError(`${what} (during ${operation})`);
  };
  if (report.expectedEntries !== sourceEntries) {
    fail(
      `${report.strategy} dup reports ${report.expectedEntries} entries of a source of ${sourceEntries}`,
    );
  }
  const { allocations, live } = tree.allocatorStats();
  // A version that counts no allocation at all (a model behind the contract) is held only to
  // what it reports.
  const counted = allocations > 0;
  const nodes = tree.nodeCounts().total;
  if (report.strategy === "bulk") {
    if (report.extra > 0) {
      fail(`bulk dup allocated ${report.extra} nodes beyond its pool of ${report.promised}`);
    }
    if (allocations > report.promised + report.extra) {
      fail(
        `bulk dup allocated ${allocations} nodes but reports ${report.promised} promised and ` +
          `${report.extra} extra`,
      );
    }
    if (nodes > report.promised) {
      fail(`bulk dup built a tree of ${nodes} nodes from a promise of ${report.promised}`);
    }
  } else if (report.promised !== 0) {
    fail(`${report.strategy} dup reports ${report.promised} nodes promised, but it promises none`);
  } else if (counted && allocations !== report.taken + report.extra) {
    fail(
      `${report.strategy} dup allocated ${allocations} nodes but reports ${report.taken} ` +
        `taken and ${report.extra} extra`,
    );
  }
  if (counted && live !== nodes) {
    fail(`${live} nodes are live after a dup that built a tree of ${nodes}`);
  }
}

/**
 * Throw {@linkcode NodeAccountingError} when a write left nodes outside the tree: in the
 * cursor's pool after `destroy()` (`pooled`), or live in the allocator but not in the tree (a
 * reservation never given back, or a node freed twice). A tree that has never counted an
 * allocation (a model behind the contract) has no nodes to account for. `where` names the
 * write.
 *
 * @example
 * ```ts
 * import { loadVersion } from "../core/loader.ts";
 * import { checkWriteAccounting } from "./node_accounting.ts";
 * const { module } = await loadVersion("head");
 * const tree = module.createTree<number>({ allocRange: true });
 * for (let i = 0; i < 40; i++) tree.store(i * 4, i * 4 + 1, i + 1);
 * checkWriteAccounting(tree, 0, "a test");
 * ```
 */
export function checkWriteAccounting<T>(tree: MapleTree<T>, pooled: number, where: string): void {
  if (pooled !== 0) {
    throw new NodeAccountingError(
      `the cursor still holds ${pooled} nodes after destroy() (${where})`,
    );
  }
  const { allocations, live } = tree.allocatorStats();
  if (allocations === 0) return;
  const nodes = tree.nodeCounts().total;
  if (live !== nodes) {
    throw new NodeAccountingError(`${live} nodes are live but the tree has ${nodes} (${where})`);
  }
}
