/**
 * Evidence from a kernel version's native code: what the shim printed before its child died.
 *
 * A C version cannot throw into JavaScript. When the kernel's tree takes a fatal signal, the
 * shim's handler prints `maple-bisect: frame LIB +0xOFFSET` lines (static kernel functions are
 * not in the library's dynamic symbol table, so the child cannot name them itself); when one
 * of the kernel's own checks fails (`MT_BUG_ON`, `BUG_ON`, an `assert`), it prints what failed
 * and aborts. This module turns that into a failure the rest of the suite reads like any
 * other: a crash for a signal, **invalid** for a failed kernel check, with the frames named by
 * `addr2line` (function, file and line, inlined callers included) and the kernel's `WARN` line.
 *
 * @example
 * ```ts
 * import { nativeFailure } from "./native.ts";
 * const found = await nativeFailure("assertion failed at lib/maple_tree.c:1184\nmaple-bisect: native signal 11 (Segmentation fault)\n");
 * console.log(found?.outcome, found?.failure.message);
 * // crash killed by signal SIGSEGV in native code (assertion failed at lib/maple_tree.c:1184)
 * ```
 *
 * @module
 */

import type { Failure, Outcome } from "../workloads/probe_types.ts";

const SIGNAL_LINE = /^maple-bisect: native signal (\d+)/m;
const FRAME_LINE = /^maple-bisect: frame (.+) \+0x([0-9a-f]+)$/gm;
const KERNEL_BUG = /^maple-bisect: kernel BUG in (.+)$/m;
const ASSERTION = /^.*Assertion `.*' failed\.$/m;
const WARN_LINE = /^(assertion failed at \S+:\d+|WARNING: .+)$/m;
const SIGNAL_NAMES: Record<string, string> = {
  "4": "SIGILL",
  "6": "SIGABRT",
  "7": "SIGBUS",
  "8": "SIGFPE",
  "11": "SIGSEGV",
};
/** Frames of the shim's own crash handling, never the culprit. */
const HANDLER_FRAMES = new Set(["on_fatal_signal", "mb_kernel_bug"]);

/** A native failure: the outcome class and its evidence. */
export interface NativeFailure {
  readonly outcome: Outcome;
  readonly failure: Failure;
}

/**
 * Read a dead child's stderr for native evidence; `undefined` when there is none (a
 * TypeScript version, or a child that died otherwise).
 *
 * @example
 * ```ts
 * import { nativeFailure } from "./native.ts";
 * console.log(await nativeFailure("error: Uncaught TypeError: x\n")); // undefined
 * ```
 */
export async function nativeFailure(stderr: string): Promise<NativeFailure | undefined> {
  const signal = SIGNAL_LINE.exec(stderr);
  if (!signal) return undefined;
  const frames = await symbolise(stderr);
  const warn = WARN_LINE.exec(stderr)?.[1];
  const bug = KERNEL_BUG.exec(stderr)?.[1];
  const assertion = ASSERTION.exec(stderr)?.[0];
  const where = frames.length > 0 ? frames[0].split(" ")[0] : "native code";
  if (bug !== undefined || assertion !== undefined) {
    return {
      outcome: "invalid",
      failure: {
        kind: "KernelBug",
        message: bug !== undefined ? `kernel BUG in ${bug}` : assertion!.trim(),
        frames,
        atOp: -1,
        operation: "",
      },
    };
  }
  const name = SIGNAL_NAMES[signal[1]] ?? `signal ${signal[1]}`;
  return {
    outcome: "crash",
    failure: {
      kind: name,
      message: `killed by signal ${name} in ${where}${warn ? ` (${warn})` : ""}`,
      frames,
      atOp: -1,
      operation: "",
    },
  };
}

/**
 * Name the frames the shim printed, innermost first, as `function (file:line)`; inlined
 * callers come as frames of their own. Without `addr2line` the raw offsets are kept.
 */
async function symbolise(stderr: string): Promise<string[]> {
  const byLibrary = new Map<string, string[]>();
  const order: [string, string][] = [];
  for (const match of stderr.matchAll(FRAME_LINE)) {
    const [, library, offset] = match;
    if (!library.endsWith(".so") || !library.includes("libmaple")) continue;
    // Return addresses point after the call; one byte back names the calling line.
    const address = (Math.max(0, parseInt(offset, 16) - 1)).toString(16);
    if (!byLibrary.has(library)) byLibrary.set(library, []);
    byLibrary.get(library)!.push(address);
    order.push([library, address]);
  }
  const named = new Map<string, string[]>();
  for (const [library, addresses] of byLibrary) {
    const lines = await addr2line(library, addresses);
    addresses.forEach((address, i) => named.set(`${library}@${address}`, lines[i] ?? []));
  }
  return order.flatMap(([library, address]) =>
    named.get(`${library}@${address}`) ?? [`${library}+0x${address}`]
  ).filter((frame) => !HANDLER_FRAMES.has(frame.split(" ")[0])).slice(0, 12);
}

/** `addr2line -f -i -p` over `addresses`, one list of frames per address. */
async function addr2line(library: string, addresses: string[]): Promise<string[][]> {
  let text: string;
  try {
    const out = await new Deno.Command("addr2line", {
      args: ["-f", "-i", "-p", "-e", library, ...addresses.map((a) => `0x${a}`)],
      stdout: "piped",
      stderr: "null",
    }).output();
    text = new TextDecoder().decode(out.stdout);
  } catch {
    return addresses.map((a) => [`${library}+0x${a}`]);
  }
  const result: string[][] = [];
  for (const line of text.split("\n")) {
    const match = /^( \(inlined by\) )?(\S+) at (.+):(\d+|\?)/.exec(line);
    if (!match) continue;
    const frame = `${match[2]} (${shortPath(match[3])}:${match[4]})`;
    if (match[1] && result.length > 0) result[result.length - 1].push(frame);
    else result.push([frame]);
  }
  return result;
}

/** `lib/maple_tree.c` rather than the user's absolute path; ours relative to the suite. */
function shortPath(path: string): string {
  const kernel = /(?:^|\/)((?:lib|include)\/.+)$/.exec(path);
  if (kernel && !path.includes("/core/kernel/")) return kernel[1];
  const ours = /\/(core\/kernel\/.+)$/.exec(path);
  return ours ? ours[1] : path;
}
