/**
 * The failures the workload checks raise, one class per outcome the probe reports, so that
 * classification is a plain `instanceof` and never a guess from a message.
 *
 * @example
 * ```ts
 * import { LeakError } from "./check_errors.ts";
 * const error = new LeakError("3 nodes still live after exit of an mm with 38 VMAs", 3);
 * console.log(error.name, error.live);
 * ```
 *
 * @module
 */

/** The tree disagrees with the reference model of the address space. */
export class DifferentialMismatchError extends Error {
  override name = "DifferentialMismatchError";
}

/** Nodes stayed live after an mm's tree was torn down. */
export class LeakError extends Error {
  override name = "LeakError";
  /** Nodes still live. */
  readonly live: number;
  /**
   * @param message what leaked and where
   * @param live nodes still live
   */
  constructor(message: string, live: number) {
    super(message);
    this.live = live;
  }
}

/** A dup took more nodes than it promised, or allocated beyond its bulk pool. */
export class NodeAccountingError extends Error {
  override name = "NodeAccountingError";
}
