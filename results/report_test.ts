import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { commitFixtureRecords, fixtureCommit } from "./fixtures/commit_fixtures.ts";
import { fixtureRecords } from "./fixtures/make_fixtures.ts";
import { renderReport, reportCharts } from "./report.ts";

const OUT = fileURLToPath(new URL("./out/", import.meta.url));
const records = Object.values(fixtureRecords());
const skipped = [{ path: "/x/broken.json", reason: "truncated JSON (12 bytes)" }];

/** The Chromium binary: $CHROMIUM, or Debian's `chromium` on PATH. */
function findChromium(): string | undefined {
  const candidates = [Deno.env.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

const chromium = findChromium();
if (!chromium && Deno.env.get("CI")) {
  throw new Error("chromium is missing: .ci/run installs Debian's chromium package");
}

/** Headless Chromium with no network, no sandbox and a fresh profile. */
async function runChromium(args: string[]): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "report-test-chromium-" });
  try {
    const out = await new Deno.Command(chromium!, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(90_000),
    }).output();
    assert.ok(out.success, `chromium failed: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

Deno.test("the report holds the runs, steps, comparisons and verdicts with evidence", () => {
  const html = renderReport({ records, skipped, generatedAt: new Date("2026-11-27T00:00:00Z") });
  assert.ok(html.startsWith("<!doctype html>"));
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, "no external resources");
  assert.match(html, /var uPlot=/);
  assert.match(html, /Skipped 1 record file\(s\):<ul><li>broken\.json: truncated JSON/);
  for (const r of records) assert.ok(html.includes(r.id), r.id);
  assert.match(html, /<td>core\/load-random<\/td><td>version v2 \(after v1\)<\/td>/);
  assert.match(html, /<tr class="newly-failing"><td>!<\/td><td>core\/dup-300 \[head\]<\/td>/);
  assert.match(html, /<tr class="worse"><td>\+<\/td><td>core\/load-random<\/td>/);
  assert.match(html, /<td>first-bad<\/td><td>v2<\/td><td>v1<\/td>/);
  assert.match(html, /bulkStore \(core\/v2\/bulk\.ts:88\)\ndup \(core\/v2\/tree\.ts:301\)/);
  assert.match(html, /deno task stress --stressor fork --version v2 --layout glibc --seed 2/);
  assert.match(html, /bisect-20261120T120000000Z-00000000c0de \(crash\): pass 1, crash 2/);
});

Deno.test({
  name: "headless Chromium draws every chart with the expected series (screenshot kept)",
  ignore: chromium === undefined,
  async fn() {
    await Deno.mkdir(OUT, { recursive: true });
    const page = join(OUT, "report-test.html");
    await Deno.writeTextFile(page, renderReport({ records, skipped }));
    const url = pathToFileURL(page).href;
    const dom = await runChromium(["--dump-dom", url]);
    const expected = reportCharts(records);
    assert.equal(expected.length, 7, "the overview and two charts per benchmark");
    assert.deepEqual(expected[0].series.map((s) => s.label), [
      "core/load-random",
      "workloads/fork",
      "core/dup-300",
    ]);
    assert.match(dom, new RegExp(`data-charts-drawn="${expected.length}"`));
    for (const spec of expected) {
      const tag = dom.match(new RegExp(`<div[^>]*id="${spec.id}"[^>]*>`))?.[0];
      assert.ok(tag, `chart ${spec.id} is in the page`);
      assert.match(tag, /data-rendered="true"/, `${spec.id} was drawn`);
      assert.doesNotMatch(tag, /data-error=/);
      const series = spec.series.map((s) => s.label).join("|");
      assert.ok(tag.includes(`data-series="${series}"`), `${spec.id} has series ${series}`);
      const points = spec.series.flatMap((s) => s.values).filter((v) => v !== null).length;
      assert.ok(tag.includes(`data-points="${points}"`), `${spec.id} has ${points} points`);
    }
    assert.deepEqual(expected.find((s) => s.kind === "over-time")!.series.map((s) => s.label), [
      "v1",
      "v2",
      "head",
    ]);
    // The drawn canvases: uPlot puts one per chart in the page.
    assert.equal(dom.match(/<canvas/g)?.length, expected.length);

    const shot = join(OUT, "report-test.png");
    await Deno.remove(shot).catch(() => {});
    await runChromium([
      "--hide-scrollbars",
      "--window-size=1400,2400",
      `--screenshot=${shot}`,
      url,
    ]);
    const png = await Deno.readFile(shot);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG file");
    assert.ok(png.length > 50_000, `a screenshot with content (${png.length} bytes)`);
  },
});

Deno.test("the overview puts every benchmark on one faster-is-higher axis", () => {
  const [overview] = reportCharts(records);
  assert.equal(overview.id, "chart-overview");
  assert.deepEqual(overview.xLabels, ["v1", "v2", "head"]);
  const byName = Object.fromEntries(overview.series.map((s) => [s.label, s.values]));
  const [l1, l2, l3] = byName["core/load-random"] as number[];
  assert.equal(l1, 1);
  assert.ok(Math.abs(l2 - 100 / 130) < 0.03 && Math.abs(l3 - 100 / 130) < 0.03);
  const fork = byName["workloads/fork"] as number[];
  assert.ok(Math.abs(fork[2] - 0.5) < 0.03, `fork on head ${fork[2]}`);
  assert.equal(byName["core/dup-300"][2], null, "a failed figure is a gap, not a zero");
});

const commitRecords = commitFixtureRecords(12, 8);

Deno.test("a history of commits is drawn along the commits: day and short sha on the axis", () => {
  const charts = reportCharts(commitRecords);
  assert.deepEqual(charts.map((c) => c.kind), ["per-commit", "per-commit", "per-commit"]);
  const [overview, load] = charts;
  assert.equal(overview.title, "Relative throughput per commit");
  const commits = Array.from({ length: 12 }, (_, i) => fixtureCommit(i, 8));
  assert.deepEqual(
    load.xLabels,
    commits.map((c) => `${c.authorDate.slice(5, 10)} ${c.short.slice(0, 7)}`),
  );
  assert.equal(load.xTitles?.[8], `${commits[8].short} "${commits[8].subject}" (2026-11-09)`);
  assert.deepEqual(load.series.map((s) => s.label), ["median"]);
  const html = renderReport({ records: commitRecords });
  assert.match(html, new RegExp(`<td>commit ${commits[8].short} &quot;head: walk the whole`));
  assert.match(
    html,
    new RegExp(`<h3>${commits[10].short} &quot;.*&quot; \\(2026-11-11\\) → ${commits[11].short}`),
  );
});

Deno.test({
  name: "headless Chromium draws the commit axis (screenshot kept)",
  ignore: chromium === undefined,
  async fn() {
    await Deno.mkdir(OUT, { recursive: true });
    const page = join(OUT, "report-commits-test.html");
    await Deno.writeTextFile(page, renderReport({ records: commitRecords }));
    const url = pathToFileURL(page).href;
    const dom = await runChromium(["--dump-dom", url]);
    const expected = reportCharts(commitRecords);
    assert.match(dom, new RegExp(`data-charts-drawn="${expected.length}"`));
    for (const spec of expected) {
      const tag = dom.match(new RegExp(`<div[^>]*id="${spec.id}"[^>]*>`))?.[0];
      assert.ok(tag, `chart ${spec.id} is in the page`);
      assert.match(tag, /data-rendered="true"/, `${spec.id} was drawn`);
      assert.ok(tag.includes(`data-axis="${spec.xLabels.join("|")}"`), `${spec.id} commit axis`);
    }
    // The commit chart's legend follows the cursor: it starts with the commit label.
    assert.match(dom, /<th>commit<\/th>|>commit</);
    const shot = join(OUT, "report-commits.png");
    await Deno.remove(shot).catch(() => {});
    await runChromium([
      "--hide-scrollbars",
      "--window-size=1400,1500",
      `--screenshot=${shot}`,
      url,
    ]);
    const png = await Deno.readFile(shot);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG file");
    assert.ok(png.length > 50_000, `a screenshot with content (${png.length} bytes)`);
  },
});
