/**
 * The shim's C API as Deno FFI symbols, and the one place a built library is opened.
 *
 * Every function of `shim.c` that TypeScript calls is listed here with its C types;
 * `deno check` then types each call. Keys and ids cross as `f64` (exact up to 2^53),
 * answers come back through a caller's `Float64Array`.
 *
 * @example
 * ```ts
 * import { openShim } from "./ffi.ts";
 * export function nodeCount(libraryPath: string): number {
 *   const shim = openShim(libraryPath);
 *   const tree = shim.symbols.mb_tree_new(1, -1);
 *   shim.symbols.mb_store(tree, 10, 19, 1);
 *   const census = new Float64Array(3);
 *   shim.symbols.mb_census(tree, census);
 *   return census[0] + census[1] + census[2];
 * }
 * ```
 *
 * @module
 */

/** The C functions of the shim. */
export const SHIM_SYMBOLS = {
  mb_init: { parameters: [], result: "i32" },
  mb_nop: { parameters: [], result: "i32" },
  mb_free_string: { parameters: ["pointer"], result: "void" },
  mb_live_objects: { parameters: [], result: "i64" },
  mb_tree_new: { parameters: ["i32", "f64"], result: "pointer" },
  mb_tree_clear: { parameters: ["pointer"], result: "void" },
  mb_tree_free: { parameters: ["pointer"], result: "void" },
  mb_set_budget: { parameters: ["pointer", "f64"], result: "void" },
  mb_stats: { parameters: ["pointer", "buffer"], result: "void" },
  mb_store: { parameters: ["pointer", "f64", "f64", "f64"], result: "i32" },
  mb_insert: { parameters: ["pointer", "f64", "f64", "f64"], result: "i32" },
  mb_erase: { parameters: ["pointer", "f64"], result: "f64" },
  mb_load: { parameters: ["pointer", "f64"], result: "f64" },
  mb_walk: { parameters: ["pointer", "f64", "buffer"], result: "void" },
  mb_find: { parameters: ["pointer", "f64", "f64", "buffer"], result: "i32" },
  mb_next: { parameters: ["pointer", "f64", "f64", "buffer"], result: "i32" },
  mb_prev: { parameters: ["pointer", "f64", "f64", "buffer"], result: "i32" },
  mb_entries: { parameters: ["pointer", "f64", "f64", "buffer", "i32"], result: "i32" },
  mb_count: { parameters: ["pointer"], result: "f64" },
  mb_empty_area: { parameters: ["pointer", "f64", "f64", "f64", "buffer"], result: "i32" },
  mb_empty_area_rev: { parameters: ["pointer", "f64", "f64", "f64", "buffer"], result: "i32" },
  mb_height: { parameters: ["pointer"], result: "i32" },
  mb_census: { parameters: ["pointer", "buffer"], result: "void" },
  mb_validate: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  mb_dump: { parameters: ["pointer"], result: "pointer" },
  mb_dup_bulk: {
    parameters: ["pointer", "pointer", "buffer", "i32", "i32", "buffer"],
    result: "i32",
  },
  mb_dup_copy: {
    parameters: ["pointer", "pointer", "buffer", "i32", "i32", "buffer"],
    result: "i32",
  },
  mb_dup_paths: { parameters: [], result: "i32" },
  mb_fork_nanoseconds: { parameters: ["pointer", "i32", "i32"], result: "f64" },
  mb_cursor_new: { parameters: ["pointer", "f64", "f64"], result: "pointer" },
  mb_cursor_free: { parameters: ["pointer"], result: "void" },
  mb_cursor_set: { parameters: ["pointer", "f64", "f64"], result: "void" },
  mb_cursor_op: { parameters: ["pointer", "i32", "f64", "buffer"], result: "i32" },
  mb_cursor_store: { parameters: ["pointer", "f64", "buffer"], result: "i32" },
  mb_cursor_preallocate: { parameters: ["pointer", "f64"], result: "i32" },
  mb_cursor_expected: { parameters: ["pointer", "f64"], result: "i32" },
  mb_cursor_destroy: { parameters: ["pointer"], result: "void" },
  mb_cursor_pause: { parameters: ["pointer"], result: "void" },
  mb_cursor_pooled: { parameters: ["pointer"], result: "f64" },
} as const satisfies Deno.ForeignLibraryInterface;

/** An opened shim library. */
export type Shim = Deno.DynamicLibrary<typeof SHIM_SYMBOLS>;

/** Cursor operations, numbered as `enum mb_cursor_op` in `shim.c`. */
export const CURSOR_OP = { walk: 0, find: 1, findRev: 2, next: 3, prev: 4, erase: 5 } as const;

/** Kernel error numbers the shim returns (negated). */
export const ERRNO = { ENOMEM: 12, EEXIST: 17, EINVAL: 22, EBUSY: 16, EOPNOTSUPP: 95 } as const;

/** Bit flags of `mb_dup_paths()`: which fork paths the built tree offers. */
export const DUP_PATH_BITS = { bulk: 1, copy: 2 } as const;

const opened = new Map<string, Shim>();

/**
 * Open (once per process) the library at `path` and initialise the kernel tree in it.
 *
 * @example
 * ```ts
 * import { openShim } from "./ffi.ts";
 * export const crossing = (path: string) => openShim(path).symbols.mb_nop();
 * ```
 */
export function openShim(path: string): Shim {
  let shim = opened.get(path);
  if (!shim) {
    shim = Deno.dlopen(path, SHIM_SYMBOLS);
    shim.symbols.mb_init();
    opened.set(path, shim);
  }
  return shim;
}
