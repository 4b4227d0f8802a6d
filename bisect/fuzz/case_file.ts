/**
 * Case files: a failing case as plain JSON data (layout, operations, seed, the version it
 * failed on, its signature, the command that replays it), each VMA a small object that
 * reads like a /proc/PID/maps line, so that a person can read and edit it.
 *
 * @example
 * ```ts
 * import { formatCaseFile, parseCaseFile } from "./case_file.ts";
 * function usage(file: import("./case_file.ts").CaseFile): void {
 *   console.log(parseCaseFile(formatCaseFile(file), "x.json").signature === file.signature);
 * }
 * ```
 *
 * @module
 */

import { readFileSync } from "node:fs";
import type { FuzzCase } from "../../workloads/fuzz/mod.ts";
import { decodeOperation, encodeOperation } from "../../workloads/operations.ts";
import {
  type OperationRecord,
  STRESSOR_NAMES,
  type StressorName,
  type VmaRecord,
} from "../../workloads/probe_types.ts";
import { decodeVmas, encodeVma } from "../../workloads/vma_records.ts";

/** The schema tag every case file carries. */
export const CASE_SCHEMA = "maple-bisect/case@1";

/** A case file's contents. */
export interface CaseFile {
  readonly schema: typeof CASE_SCHEMA;
  /** Where the layout came from (a generator, a mutated fixture, a stress run). */
  readonly label: string;
  readonly stressor: StressorName;
  readonly seed: number;
  /** The version the case failed on. */
  readonly version: string;
  /** Outcome class and top frame, e.g. `crash splitLeaf (bulk.ts)`. */
  readonly signature: string;
  /** The failure's message, for a person. */
  readonly message: string;
  /** The one-line command that replays it. */
  readonly replay: string;
  /** Sizes before and after shrinking, and the runs it took (absent for an unshrunk case). */
  readonly shrunk?: {
    readonly vmasBefore: number;
    readonly vmasAfter: number;
    readonly operationsBefore: number;
    readonly operationsAfter: number;
    readonly runs: number;
  };
  readonly layout: readonly VmaRecord[];
  readonly operations: readonly OperationRecord[];
}

/** A case file that cannot be used: one line naming the file and the problem. */
export class CaseFileError extends Error {
  override name = "CaseFileError";
}

/** The case file for `fuzzCase`. */
export function caseFile(
  fuzzCase: FuzzCase,
  fields: Pick<CaseFile, "version" | "signature" | "message" | "replay" | "shrunk">,
): CaseFile {
  return {
    schema: CASE_SCHEMA,
    label: fuzzCase.label,
    stressor: fuzzCase.stressor,
    seed: fuzzCase.seed,
    ...fields,
    layout: fuzzCase.layout.map(encodeVma),
    operations: fuzzCase.operations.map(encodeOperation),
  };
}

/** The file's JSON text, indented as `deno fmt` leaves it (so case files pass `fmt --check`). */
export function formatCaseFile(file: CaseFile): string {
  return JSON.stringify(file, null, 2) + "\n";
}

/** Parse and check a case file's text; `name` is used in error messages. */
export function parseCaseFile(text: string, name: string): CaseFile {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CaseFileError(`${name}: not JSON: ${(error as Error).message}`);
  }
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new CaseFileError(`${name}: ${what}`);
  };
  need(typeof json === "object" && json !== null, "not an object");
  need(json.schema === CASE_SCHEMA, `schema must be "${CASE_SCHEMA}"`);
  need(STRESSOR_NAMES.includes(json.stressor as StressorName), "unknown stressor");
  need(Number.isSafeInteger(json.seed), "seed must be an integer");
  need(typeof json.version === "string", "version must be a string");
  need(typeof json.signature === "string", "signature must be a string");
  need(
    Array.isArray(json.layout) && Array.isArray(json.operations),
    "layout and operations must be lists",
  );
  return json as unknown as CaseFile;
}

/** Read a case file and turn it back into a case (checking every record). */
export function readCase(path: string): { file: CaseFile; fuzzCase: FuzzCase } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CaseFileError(`cannot read case file ${path}: ${(error as Error).message}`);
  }
  const file = parseCaseFile(text, path);
  try {
    const fuzzCase: FuzzCase = {
      label: String(file.label ?? path),
      stressor: file.stressor,
      seed: file.seed,
      layout: decodeVmas(file.layout),
      operations: file.operations.map((record, i) => {
        try {
          return decodeOperation(record);
        } catch (error) {
          throw new Error(`operation ${i}: ${(error as Error).message}`);
        }
      }),
    };
    return { file, fuzzCase };
  } catch (error) {
    throw new CaseFileError(`${path}: ${(error as Error).message}`);
  }
}
