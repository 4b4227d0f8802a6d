/**
 * The HTML report: one self-contained file (uPlot's script and styles inlined, no network)
 * with charts of each benchmark per version and over time, the steps the change-point check
 * found, the comparison tables, and the bisect verdicts with their evidence. Runs that did not
 * finish are marked in the list of runs, and those still to resume (an interrupted record, a
 * journal alone after `kill -9`) are listed at the top with the command that resumes them.
 *
 * @example
 * ```ts
 * import { renderReport } from "./report.ts";
 * import { loadRecords } from "./store.ts";
 * const { records, skipped } = await loadRecords("results/fixtures/runs");
 * const html = renderReport({ records: records.map((r) => r.record), skipped });
 * await Deno.writeTextFile("/tmp/report.html", html);
 * ```
 *
 * @module
 */

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import {
  compareSamples,
  type ComparisonRow,
  formatValue,
  INSTRUCTIONS_UNIT,
  MARKERS,
  summarize,
} from "./compare.ts";
import { type BenchmarkHistory, buildHistory, isEnvironmentStep } from "./history.ts";
import type { BisectRecord, JsonValue, SuiteRecord } from "./record.ts";
import { type ChartSpec, chartSpecs, commitOverviewSpec, overviewSpec } from "./report_data.ts";
import { commitsOf, commitTitle, orderVersions } from "./commits.ts";
import { sidesFromRecords, sidesFromVersions } from "./select.ts";
import type { JournalFile, SkippedFile } from "./store.ts";
import {
  describeInterruption,
  interruptionOf,
  resumedBy,
  standingRecords,
  unfinishedRuns,
} from "./interrupted.ts";

/** What the report is drawn from. */
export interface ReportInput {
  readonly records: readonly SuiteRecord[];
  readonly skipped?: readonly SkippedFile[];
  /** The journals beside the records (see `findJournals`), for runs that did not finish. */
  readonly journals?: readonly JournalFile[];
  readonly generatedAt?: Date;
}

/** The charting library's files, read from the npm package pinned in deno.json. */
function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  try {
    return {
      js: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
      css: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
    };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`uPlot is not in Deno's npm cache (run \`deno install\`): ${detail}`);
  }
}

/**
 * The charts the report draws, in page order: the overview of the latest bench run, then
 * two per benchmark.
 *
 * @example
 * ```ts
 * import { reportCharts } from "./report.ts";
 * console.log(reportCharts([]).length); // 0
 * ```
 */
export function reportCharts(
  records: readonly SuiteRecord[],
  histories: readonly BenchmarkHistory[] = buildHistory(records),
): ChartSpec[] {
  const latestBench = standingRecords(records).sort((a, b) =>
    a.startedAt.localeCompare(b.startedAt)
  ).filter((r) => r.kind === "bench" && r.samples.length > 0).at(-1);
  // `bench --git` writes one record per commit: its overview spans the commits, not one run.
  const overview = latestBench === undefined
    ? undefined
    : latestBench.versions.length > 0 && latestBench.versions.every((v) => v.commit)
    ? commitOverviewSpec(histories)
    : overviewSpec(latestBench.samples);
  return [...(overview ? [overview] : []), ...chartSpecs(histories)];
}

/**
 * Render the report as one HTML document.
 *
 * @example
 * ```ts
 * import { renderReport } from "./report.ts";
 * console.log(renderReport({ records: [] }).startsWith("<!doctype html>")); // true
 * ```
 */
export function renderReport(input: ReportInput): string {
  const records = [...input.records].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  // A record that a later run resumed is carried whole by it: listed, but not counted twice.
  const standing = standingRecords(records);
  const histories = buildHistory(records);
  const charts = reportCharts(records, histories);
  const { js, css } = uplotAssets();
  const page = readFileSync(new URL("./report_page.js", import.meta.url), "utf8");
  const data = JSON.stringify({ charts }).replace(/</g, "\\u003c");
  const generated = (input.generatedAt ?? new Date()).toISOString();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>maple-bisect results</title>
<style>${css}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>maple-bisect results</h1>
<p class="meta">Generated ${esc(generated)} from ${records.length} record(s).</p>
${skippedSection(input.skipped ?? [])}
${unfinishedSection(records, input.journals ?? [])}
${runsSection(records)}
${latestSection(standing)}
<h2>Benchmarks per version and over time</h2>
${instructionsNote(records)}
${
    charts.length === 0
      ? "<p>No samples in the records.</p>"
      : `<div class="charts">${
        charts.map((c) =>
          `<figure><figcaption>${esc(c.caption)}</figcaption>` +
          `<div class="chart" id="${esc(c.id)}" data-kind="${c.kind}"></div></figure>`
        ).join("\n")
      }</div>`
  }
${stepsSection(histories)}
${comparisonSection(standing)}
${verdictSection(standing)}
<script type="application/json" id="report-data">${data}</script>
<script>${js}</script>
<script>${page}</script>
</body>
</html>
`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h2{margin-top:32px;border-bottom:1px solid #ccc}.meta{color:#666}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 8px;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}td.num{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0;border:1px solid #ddd;padding:8px}
figcaption{font-weight:600;margin-bottom:4px}.better{color:#1a7f37}.worse{color:#cf222e}
.newly-failing{color:#cf222e;font-weight:700}.fixed{color:#1a7f37;font-weight:700}
.not-significant{color:#9a6700}.warn{background:#fff8c5;padding:8px;border:1px solid #d4a72c}
.interrupted{color:#9a6700;font-weight:600}
pre{margin:0;white-space:pre-wrap}dl{margin:0}dt{font-weight:600}dd{margin:0 0 4px 12px}`;

/** Escape text for HTML. */
function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function skippedSection(skipped: readonly SkippedFile[]): string {
  if (skipped.length === 0) return "";
  const items = skipped.map((s) => `<li>${esc(basename(s.path))}: ${esc(s.reason)}</li>`);
  return `<div class="warn">Skipped ${skipped.length} record file(s):<ul>${
    items.join("")
  }</ul></div>`;
}

function unfinishedSection(
  records: readonly SuiteRecord[],
  journals: readonly JournalFile[],
): string {
  const lines = unfinishedRuns(records, journals);
  if (lines.length === 0) return "";
  return `<div class="warn" id="unfinished">Runs that did not finish (${lines.length}):<ul>${
    lines.map((l) => `<li>${esc(l)}</li>`).join("")
  }</ul></div>`;
}

/** A run's status in the list of runs: finished, or interrupted with what it kept. */
function runStatus(record: SuiteRecord, resumed: ReadonlyMap<string, string>): string {
  const mark = interruptionOf(record);
  if (!mark) return "finished";
  const next = resumed.get(record.id);
  return `${describeInterruption(mark)}${next ? `; resumed in ${next}` : ""}`;
}

/** More records than this and the list of runs starts folded. */
const FOLD_RUNS = 8;

function runsSection(records: readonly SuiteRecord[]): string {
  const resumed = resumedBy(records);
  const rows = records.map((r) => {
    const m = r.environment.machine;
    const commit = r.environment.suiteCommit?.slice(0, 10) ?? "none";
    const status = runStatus(r, resumed);
    const statusCell = status === "finished"
      ? `<td>${status}</td>`
      : `<td class="interrupted">${esc(status)}</td>`;
    return `<tr><td>${esc(r.id)}</td><td>${r.kind}</td>${statusCell}<td>${esc(r.startedAt)}</td>` +
      `<td>${esc(r.endedAt)}</td><td>${esc(r.versions.map((v) => v.name).join(", "))}</td>` +
      `<td>${esc(`${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB`)}` +
      `</td><td>Deno ${esc(r.environment.runtime.deno)}, V8 ${esc(r.environment.runtime.v8)}` +
      `</td><td>${esc(commit)}${r.environment.suiteDirty ? " (dirty)" : ""}</td></tr>`;
  });
  const table = `<table id="runs"><tr><th>record</th><th>kind</th><th>status</th><th>started</th>` +
    `<th>ended</th><th>versions</th><th>machine</th><th>runtime</th><th>suite commit</th></tr>` +
    `${rows.join("\n")}</table>`;
  // A history of commits has a record per commit: the list folds away so the charts come first.
  return records.length > FOLD_RUNS
    ? `<h2>Runs</h2><details><summary>${records.length} records</summary>${table}</details>`
    : `<h2>Runs</h2>${table}`;
}

/** The latest bench record as a matrix: a row per benchmark, a column per version. */
function latestSection(records: readonly SuiteRecord[]): string {
  const latest = records.filter((r) => r.kind === "bench" && r.samples.length > 0).at(-1);
  if (!latest) return "";
  const versions = [...new Set(latest.samples.map((s) => s.version))];
  const benchmarks = [...new Set(latest.samples.map((s) => s.benchmark))];
  const rows = benchmarks.map((b) => {
    const cells = versions.map((v) => {
      const set = latest.samples.find((s) => s.benchmark === b && s.version === v);
      if (!set) return "<td></td>";
      if (set.error !== undefined || set.values.length === 0) {
        return `<td class="newly-failing" title="${esc(set.error ?? "no samples")}">failed</td>`;
      }
      return `<td class="num">${esc(formatValue(summarize(set.values).median, set.unit))}</td>`;
    });
    return `<tr><td>${esc(b)}</td>${cells.join("")}</tr>`;
  });
  const mark = interruptionOf(latest);
  const cut = mark
    ? ` <span class="interrupted">${esc(describeInterruption(mark))}</span>:` +
      ` figures of the finished units only.`
    : "";
  return `<h2>Latest bench run</h2><p>Record ${esc(latest.id)}, started ${
    esc(latest.startedAt)
  }; medians of the raw samples.${cut}</p><table id="latest"><tr><th>benchmark</th>${
    versions.map((v) => `<th>${esc(v)}</th>`).join("")
  }</tr>${rows.join("\n")}</table>`;
}

function stepsSection(histories: ReturnType<typeof buildHistory>): string {
  const rows: string[] = [];
  for (const h of histories) {
    for (const s of h.versionSteps) {
      const commit = h.commits[s.label];
      const where = commit
        ? `commit ${commitTitle(commit)}, after ${h.commits[s.previous]?.short ?? s.previous}`
        : `version ${s.label} (after ${s.previous})`;
      rows.push(stepRow(h.benchmark, where, s, h.unit));
    }
    for (const s of h.timeSteps) {
      const where = `run ${s.label} on ${s.version}` +
        (isEnvironmentStep(s)
          ? ` (${s.sharedBy} of ${s.measuredIn} versions alike: machine?)`
          : "");
      rows.push(stepRow(h.benchmark, where, s, h.unit));
    }
  }
  const body = rows.length === 0
    ? "<p>No step beyond 10% with p &lt; 0.01 between versions or over time.</p>"
    : `<table id="steps"><tr><th>benchmark</th><th>introduced by</th><th>before</th>` +
      `<th>after</th><th>change</th><th>p</th></tr>${rows.join("\n")}</table>`;
  return `<h2>Steps (change points)</h2>${body}`;
}

function stepRow(
  benchmark: string,
  where: string,
  s: { before: number; after: number; ratio: number; p: number },
  unit: string,
): string {
  return `<tr><td>${esc(benchmark)}</td><td>${esc(where)}</td>` +
    `<td class="num">${esc(formatValue(s.before, unit))}</td>` +
    `<td class="num">${esc(formatValue(s.after, unit))}</td>` +
    `<td class="num">${((s.ratio - 1) * 100).toFixed(1)}%</td>` +
    `<td class="num">${s.p.toPrecision(2)}</td></tr>`;
}

/** Adjacent versions in the latest bench record, and the latest two bench runs. */
function comparisonSection(records: readonly SuiteRecord[]): string {
  const benches = records.filter((r) => r.kind === "bench" && r.samples.length > 0);
  const latest = benches.at(-1);
  if (!latest) return "<h2>Comparisons</h2><p>No bench records.</p>";
  const parts: string[] = [];
  const versions = [...new Set(latest.samples.map((s) => s.version))];
  const commits = commitsOf(records);
  if (versions.every((v) => commits.has(v))) {
    // One record per commit: compare the two latest commits in history order, each from its
    // own latest record.
    const order = orderVersions(
      [...new Set(benches.flatMap((r) => r.versions.map((v) => v.name)))],
      commits,
    )
      .filter((v) => commits.has(v));
    if (order.length >= 2) {
      const [before, after] = order.slice(-2);
      const sides = sidesFromVersions(before, after, benches);
      parts.push(comparisonTable(
        `${commitTitle(commits.get(before)!)} → ${commitTitle(commits.get(after)!)}`,
        compareSamples(sides.before.sets, sides.after.sets, { key: sides.key }),
      ));
    }
    return `<h2>Comparisons</h2>${parts.join("\n") || "<p>Only one commit measured.</p>"}`;
  }
  for (let i = 1; i < versions.length; i++) {
    const sides = sidesFromVersions(versions[i - 1], versions[i], [latest]);
    parts.push(comparisonTable(
      `${versions[i - 1]} → ${versions[i]} (record ${latest.id})`,
      compareSamples(sides.before.sets, sides.after.sets, { key: sides.key }),
    ));
  }
  const previous = benches.at(-2);
  if (previous) {
    try {
      const sides = sidesFromRecords(previous, latest);
      parts.push(comparisonTable(
        `run ${previous.id} → run ${latest.id}`,
        compareSamples(sides.before.sets, sides.after.sets, { key: sides.key }),
      ));
    } catch {
      parts.push(`<p>The latest two bench runs share no version to compare.</p>`);
    }
  }
  return `<h2>Comparisons</h2>${parts.join("\n") || "<p>Only one version measured.</p>"}`;
}

function comparisonTable(title: string, rows: readonly ComparisonRow[]): string {
  const cell = (side: ComparisonRow["before"], error: string | undefined, unit: string) =>
    side ? esc(formatValue(side.median, unit)) : error !== undefined ? "failed" : "–";
  const body = rows.map((r) =>
    `<tr class="${r.change}"><td>${esc(MARKERS[r.change])}</td><td>${esc(r.label)}</td>` +
    `<td class="num">${cell(r.before, r.beforeError, r.unit)}</td>` +
    `<td class="num">${cell(r.after, r.afterError, r.unit)}</td>` +
    `<td class="num">${Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : "n/a"}</td>` +
    `<td class="num">${Number.isFinite(r.p) ? r.p.toPrecision(2) : ""}</td>` +
    `<td>${r.change}</td></tr>`
  );
  return `<h3>${esc(title)}</h3><table class="comparison"><tr><th></th><th>benchmark</th>` +
    `<th>before</th><th>after</th><th>ratio</th><th>p</th><th>change</th></tr>` +
    `${body.join("\n")}</table>`;
}

function verdictSection(records: readonly SuiteRecord[]): string {
  const rows: string[] = [];
  for (const r of records) {
    for (const v of r.verdicts) {
      rows.push(
        `<tr><td>${esc(r.id)}</td><td>${esc(v.subject)}</td><td>${esc(v.verdict)}</td>` +
          `<td>${esc(v.version ?? "–")}</td><td>${esc(v.lastGood ?? "–")}</td>` +
          `<td>${esc(v.summary)}</td><td>${evidence(v.evidence)}</td></tr>`,
      );
    }
  }
  const bisects = records.filter((r): r is BisectRecord => r.kind === "bisect");
  const probes = bisects.map((r) => {
    const counts = new Map<string, number>();
    for (const p of r.body.probes) {
      counts.set(p.outcome, (counts.get(p.outcome) ?? 0) + 1);
    }
    const list = [...counts].map(([k, n]) => `${k} ${n}`).join(", ");
    const mark = interruptionOf(r);
    const cut = mark ? `; ${describeInterruption(mark)}` : "";
    return `<li>${esc(r.id)} (${esc(r.body.mode)}): ${esc(list || "no probes")}${esc(cut)}</li>`;
  });
  const table = rows.length === 0 ? "<p>No verdicts in the records.</p>" : `<table id="verdicts">` +
    `<tr><th>record</th><th>subject</th><th>verdict</th><th>version</th><th>last good</th>` +
    `<th>summary</th><th>evidence</th></tr>${rows.join("\n")}</table>`;
  const probeList = probes.length ? `<p>Probes per bisect:</p><ul>${probes.join("")}</ul>` : "";
  return `<h2>Bisect verdicts</h2>${table}${probeList}`;
}

function evidence(fields: { readonly [key: string]: JsonValue }): string {
  const items = Object.entries(fields).map(([key, value]) => {
    const text = Array.isArray(value)
      ? value.map((x) => typeof x === "string" ? x : JSON.stringify(x)).join("\n")
      : typeof value === "string"
      ? value
      : JSON.stringify(value, null, 1);
    return `<dt>${esc(key)}</dt><dd><pre>${esc(text)}</pre></dd>`;
  });
  return `<dl>${items.join("")}</dl>`;
}

/**
 * A plain word beside instruction counts: they are not time. On the kernel's own tree, loads
 * execute about a fifth fewer instructions from 6.12 on than on 6.1 and run at the same speed,
 * because a load waits on memory.
 */
function instructionsNote(records: readonly SuiteRecord[]): string {
  const counted = records.some((r) => r.samples.some((s) => s.unit === INSTRUCTIONS_UNIT));
  if (!counted) return "";
  return `<p class="note">Figures in <b>instructions</b> are counts of what the CPU executed ` +
    `(valgrind's callgrind), not time: they repeat exactly, so a 1% change shows, but a ` +
    `change that makes the tree wait on memory costs time and no instructions. On the ` +
    `kernel's own tree, loads execute about a fifth fewer instructions on 6.12 and 6.19 than ` +
    `on 6.1 yet run at about the same speed. Read both: time for what a user feels, counts ` +
    `for small changes in code that computes.</p>`;
}
