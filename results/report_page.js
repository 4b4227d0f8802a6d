// Page script of the HTML report: draws each chart in the embedded data with uPlot, then
// marks its container with what was drawn (data-rendered, data-series, data-points), so a
// headless browser's DOM dump shows that the charts rendered with the expected series.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const palette = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
  ];
  let drawn = 0;

  function formatValue(v, unit) {
    if (v == null || !isFinite(v)) return "–";
    const abs = Math.abs(v);
    const prefix = abs >= 1e9
      ? [1e9, "G"]
      : abs >= 1e6
      ? [1e6, "M"]
      : abs >= 1e3
      ? [1e3, "k"]
      : [1, ""];
    if (unit === "ns/op") {
      const t = abs >= 1e6 ? [1e6, " ms"] : abs >= 1e3 ? [1e3, " µs"] : [1, " ns"];
      return (v / t[0]).toPrecision(3) + t[1];
    }
    return (v / prefix[0]).toPrecision(3) + prefix[1];
  }

  for (const spec of data.charts) {
    const el = document.getElementById(spec.id);
    if (!el) continue;
    try {
      const perCommit = spec.kind === "per-commit";
      const perVersion = spec.kind === "per-version" || perCommit;
      // Commit labels are "MM-DD sha", drawn on two lines; past one per 72 px, every k-th.
      const every = perCommit ? Math.max(1, Math.ceil((spec.x.length * 72) / spec.width)) : 1;
      const opts = {
        width: spec.width,
        height: perCommit ? 260 : 240,
        scales: { x: { time: !perVersion } },
        // A commit chart's legend follows the cursor: the hovered commit's sha, subject and date.
        legend: { live: perCommit },
        cursor: { show: true },
        series: [
          perCommit
            ? {
              label: "commit",
              value: (_u, x) => x == null ? "" : (spec.xTitles[Math.round(x)] ?? ""),
            }
            : { label: perVersion ? "version" : "run" },
          ...spec.series.map((s, i) => ({
            label: s.label,
            stroke: palette[i % palette.length],
            // Past ten series the colours repeat, so the next ten are dashed.
            dash: i >= palette.length ? [6, 4] : undefined,
            width: 2,
            spanGaps: false,
            points: { show: true, size: 6 },
            value: (_u, v) => formatValue(v, spec.unit),
          })),
        ],
        axes: [
          perVersion
            ? {
              values: (_u, splits) =>
                splits.map((x) =>
                  Number.isInteger(x) && x % every === 0
                    ? (spec.xLabels[x] ?? "").replace(" ", perCommit ? "\n" : " ")
                    : ""
                ),
              splits: () => spec.x.slice(),
              ...(perCommit ? { size: 44 } : {}),
            }
            : {},
          {
            label: spec.unit,
            size: 60,
            // uPlot passes null for the ticks a log axis leaves unlabelled.
            values: (_u, splits) => splits.map((v) => v == null ? "" : formatValue(v, spec.unit)),
          },
        ],
        hooks: {
          draw: [(u) => {
            u.root.parentElement.dataset.rendered = "true";
          }],
        },
      };
      if (perVersion && spec.x.length === 1) opts.scales.x.range = () => [-0.5, 0.5];
      // A single run would make uPlot stretch the time axis over years: show an hour around it.
      if (!perVersion && spec.x.length === 1) {
        opts.scales.x.range = () => [spec.x[0] - 1800, spec.x[0] + 1800];
      }
      // Relative figures span orders of magnitude (a 100x faster fork): a log axis keeps the
      // small changes visible beside the large ones.
      if (spec.unit === "relative") opts.scales.y = { distr: 3, log: 10 };
      const aligned = [spec.x.slice(), ...spec.series.map((s) => s.values.slice())];
      new uPlot(opts, aligned, el);
      const points = spec.series.reduce((n, s) => n + s.values.filter((v) => v != null).length, 0);
      el.dataset.series = spec.series.map((s) => s.label).join("|");
      el.dataset.points = String(points);
      if (perCommit) el.dataset.axis = spec.xLabels.join("|");
      drawn++;
    } catch (error) {
      el.dataset.error = String(error && error.message || error);
      el.textContent = "chart failed: " + el.dataset.error;
    }
  }
  document.body.dataset.chartsDrawn = String(drawn);
  document.body.dataset.chartsExpected = String(data.charts.length);
})();
