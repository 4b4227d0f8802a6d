/**
 * `deno task demo [--version V]`: a short tour of one maple tree version.
 *
 * Builds a VMA-like allocation tree, shows its shape, looks a few things up, forks it and
 * validates every invariant, so a newcomer sees what the suite is testing.
 *
 * @example
 * ```sh
 * deno task demo --version head
 * ```
 *
 * @module
 */

import { loadVersion } from "../core/loader.ts";
import { guardNative } from "./native_guard.ts";
import { defineCommand, type ParsedCommand, runCommand, UNIX_TOOL, UsageError } from "./cli.ts";

const HELP = `Usage: deno task demo [--version NAME|FOLDER] [--ranges N]

Builds N VMA-like ranges [10i, 10i+5] in an allocation tree with the chosen version
(default: head), prints its shape, a few look-ups, a fork (dup) and the validation result.`;

const PAGE = 0x1000;

const COMMAND = defineCommand({
  name: "demo",
  help: HELP,
  options: {
    version: { type: "string", default: "head" },
    ranges: { type: "string", default: "1001" },
  },
  conventions: UNIX_TOOL,
});

/**
 * Run the command with `args`; returns the exit code (0 the tour ran, 2 bad input).
 *
 * @example
 * ```ts
 * import { demoMain } from "./demo.ts";
 * Deno.exitCode = await demoMain(["--version", "head", "--ranges", "50"]);
 * ```
 */
export async function demoMain(args: readonly string[]): Promise<number> {
  const guarded = await guardNative(import.meta.filename!, args, "demo", 1);
  return guarded ?? await runCommand(COMMAND, args, demo);
}

async function demo({ values }: ParsedCommand<typeof COMMAND.options>): Promise<number> {
  const count = Number(values.ranges);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
    throw new UsageError(`--ranges must be an integer from 1 to 1000000, got "${values.ranges}"`);
  }
  const { module, name } = await loadVersion(values.version);
  const tree = module.createTree<string>({ allocRange: true });
  const started = performance.now();
  for (let i = 0; i < count; i++) tree.store(10 * i * PAGE, (10 * i + 6) * PAGE - 1, `vma${i}`);
  const built = performance.now() - started;
  tree.validate();
  const nodes = tree.nodeCounts();
  console.log(`version ${name}: ${count} ranges stored in order in ${built.toFixed(1)} ms`);
  console.log(
    `  height ${tree.height()}, ${nodes.total} nodes (${nodes.leaves} leaves, ${nodes.aranges} gap-tracking internal)`,
  );
  const probe = 10 * Math.floor(count / 2) * PAGE + 3 * PAGE;
  console.log(`  load(0x${probe.toString(16)}) = ${tree.load(probe)}`);
  const around = tree.walk(probe + 4 * PAGE);
  console.log(
    `  walk(0x${(probe + 4 * PAGE).toString(16)}) = empty range 0x${around.first.toString(16)}-0x${
      around.last.toString(16)
    }`,
  );
  const gap = tree.emptyAreaRev(0, 10 * count * PAGE, 4 * PAGE);
  console.log(
    `  emptyAreaRev(4 pages) = ${
      gap ? `0x${gap.first.toString(16)}-0x${gap.last.toString(16)}` : "none"
    }`,
  );
  const child = tree.dup();
  child.validate();
  const report = child.dupReport;
  console.log(
    `  fork: child has ${child.count()} entries, height ${child.height()}` +
      (report
        ? `; ${report.strategy} copy, ${report.promised} nodes promised, ${report.taken} taken`
        : ""),
  );
  child.clear();
  tree.clear();
  const stats = tree.allocatorStats();
  console.log(`  after clear: ${stats.live} live nodes (${stats.allocations} allocated in all)`);
  console.log("  every invariant held.");
  return 0;
}

if (import.meta.main) Deno.exit(await demoMain(Deno.args));
