/**
 * The results layer's public face: the record envelope, the atomic store and validation.
 * Writers (bisect, stress, bench) need only this module.
 *
 * @example
 * ```ts
 * import { buildRecord, saveRecord } from "./mod.ts";
 * const record = buildRecord({
 *   kind: "stress", startedAt: new Date(), versions: [{ name: "head", hash: null }],
 *   parameters: { stressor: "fork" }, seeds: [7], samples: [], verdicts: [],
 *   body: { stressor: "fork", layout: "glibc", seed: 7, ops: 10, outcome: "pass", bogoOps: 10, opsPerSecond: 1 },
 * });
 * console.log(await saveRecord(record)); // results/runs/stress-....json
 * ```
 *
 * @module
 */

export * from "./record.ts";
export * from "./store.ts";
export * from "./validate.ts";
