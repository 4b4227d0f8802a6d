/**
 * Operation streams for instruction counting: the tree work of the core benchmark cases,
 * generated from a seed in the replay driver's text format (see `core/kernel/replay.c`), so
 * the same stream drives every kernel version and counts compare across versions.
 *
 * @example
 * ```ts
 * import { coreStream } from "./instruction_streams.ts";
 * const text = coreStream(1, 0.01);
 * console.log(text.startsWith("new 0 1\n")); // true
 * ```
 *
 * @module
 */

const PAGE = 4096;

/** xorshift32: deterministic and small; the stream must be the same on every machine. */
function random(seed: number): () => number {
  let x = (seed >>> 0) || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

/**
 * The core cases as one stream, each operation kind in its own phase: in-order and random
 * stores of VMA-like ranges, loads and walks, churn (erase and store), forward and reverse gap
 * searches, and forks of a 42-VMA tree by the tree's own fork path. `scale` 1 is about 120,000
 * operations.
 *
 * @example
 * ```ts
 * import { coreStream } from "./instruction_streams.ts";
 * console.log(coreStream(7, 0.01).split("\n").filter((l) => l.startsWith("fork")).length); // 10
 * ```
 */
export function coreStream(seed: number, scale = 1): string {
  const next = random(seed);
  const lines: string[] = [];
  const n = Math.max(10, Math.round(10_000 * scale));
  const range = (i: number) => [i * 16 * PAGE, (i * 16 + 9) * PAGE - 1];
  // Stores in order, then over a second tree in random order.
  lines.push("new 0 1");
  for (let i = 0; i < n; i++) lines.push(`store 0 ${range(i).join(" ")} ${i + 1}`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  lines.push("new 1 1");
  for (const i of order) lines.push(`insert 1 ${range(i).join(" ")} ${i + 1}`);
  const key = () => Math.floor(next() * n * 16 * PAGE);
  for (let i = 0; i < 2 * n; i++) lines.push(`load 0 ${key()}`);
  for (let i = 0; i < n; i++) lines.push(`walk 0 ${key()}`);
  for (let i = 0; i < n; i++) {
    const at = key();
    lines.push(`next 0 ${at} ${at + 64 * PAGE}`, `prev 0 ${at} ${Math.max(0, at - 64 * PAGE)}`);
  }
  // Churn: erase a range, store it back a little shorter or longer.
  for (let i = 0; i < n; i++) {
    const j = Math.floor(next() * n);
    const [first, last] = range(j);
    lines.push(`erase 0 ${first}`, `store 0 ${first} ${last + (i % 3 - 1) * PAGE} ${j + 1}`);
  }
  for (let i = 0; i < n; i++) {
    const size = (1 + Math.floor(next() * 6)) * PAGE;
    const min = key();
    lines.push(`area 0 ${min} ${n * 16 * PAGE} ${size}`, `arearev 0 0 ${min + size} ${size}`);
  }
  // Forks of a small VMA-like tree, each copy freed at once (its teardown counts as free).
  lines.push("new 2 1");
  for (let i = 0; i < 42; i++) lines.push(`store 2 ${range(i * 3).join(" ")} ${i + 1}`);
  const forks = Math.max(10, Math.round(1000 * scale));
  for (let i = 0; i < forks; i++) lines.push("fork 2 3 0", "free 3");
  return lines.join("\n") + "\n";
}
