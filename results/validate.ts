/**
 * Checks a parsed JSON value against `results/schema.json`.
 *
 * The schema is the single source of truth for what a record may hold; the TypeScript types
 * in `record.ts` mirror it, and the tests check that records built through those types pass.
 *
 * @example
 * ```ts
 * import { validateRecord } from "./validate.ts";
 * const result = validateRecord({ kind: "bench" });
 * if (!result.ok) console.log(result.errors[0]);
 * ```
 *
 * @module
 */

import { Ajv } from "ajv";
import schema from "./schema.json" with { type: "json" };
import type { SuiteRecord } from "./record.ts";

/** The outcome of a validation. */
export type Validation =
  | { readonly ok: true; readonly record: SuiteRecord }
  | { readonly ok: false; readonly errors: readonly string[] };

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const check = ajv.compile(schema);

/**
 * Validate one value; on failure, each error is a line like `/samples/0/values: must be array`.
 *
 * @example
 * ```ts
 * import { validateRecord } from "./validate.ts";
 * console.log(validateRecord(null).ok); // false
 * ```
 */
export function validateRecord(value: unknown): Validation {
  const valid = check(value);
  // The schema is what makes this cast sound: it mirrors the types in record.ts.
  if (valid) return { ok: true, record: value as unknown as SuiteRecord };
  const errors = (check.errors ?? []).map((e) =>
    `${e.instancePath || "/"}: ${e.message ?? "invalid"}`
  );
  return { ok: false, errors: [...new Set(errors)] };
}
