/**
 * stress-ng-style reporting: the `metrc` table LKP's parser reads (notes §1.2), the `fail:`
 * line, and a JSON record with stress-ng's YAML key names.
 *
 * @example
 * ```ts
 * import { metricsLines } from "./metrics.ts";
 * const lines = metricsLines(1234, {
 *   stressor: "fork", bogoOps: 9830, realSeconds: 5, userSeconds: 2.28, systemSeconds: 2.38,
 * });
 * console.log(lines.at(-1));
 * // stress-ng: metrc: [1234] fork               9830      5.00      2.28      2.38      1966.00        2109.44
 * ```
 *
 * @module
 */

/** Figures of one stressor run. */
export interface MetricsFigures {
  readonly stressor: string;
  readonly bogoOps: number;
  readonly realSeconds: number;
  readonly userSeconds: number;
  readonly systemSeconds: number;
}

/** bogo ops/s over real time and over user+system time (0 when no time passed). */
export function rates(f: MetricsFigures): { real: number; usrSys: number } {
  const cpu = f.userSeconds + f.systemSeconds;
  return {
    real: f.realSeconds > 0 ? f.bogoOps / f.realSeconds : 0,
    usrSys: cpu > 0 ? f.bogoOps / cpu : 0,
  };
}

const fixed = (value: number, width: number) => value.toFixed(2).padStart(width);

/** The three `metrc` lines: two headers and the stressor's row. */
export function metricsLines(pid: number, f: MetricsFigures): string[] {
  const prefix = `stress-ng: metrc: [${pid}]`;
  const { real, usrSys } = rates(f);
  return [
    `${prefix} stressor       bogo ops real time  usr time  sys time   bogo ops/s     bogo ops/s`,
    `${prefix}                           (secs)    (secs)    (secs)   (real time) (usr+sys time)`,
    `${prefix} ${f.stressor.padEnd(13)} ${String(f.bogoOps).padStart(9)}` +
    `${fixed(f.realSeconds, 10)}${fixed(f.userSeconds, 10)}${fixed(f.systemSeconds, 10)}` +
    `${fixed(real, 13)}${fixed(usrSys, 15)}`,
  ];
}

/** The JSON record of a run: stress-ng's YAML metric keys plus our own fields. */
export function metricsRecord(
  f: MetricsFigures,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const { real, usrSys } = rates(f);
  return {
    stressor: f.stressor,
    "bogo-ops": f.bogoOps,
    "bogo-ops-per-second-usr-sys-time": Number(usrSys.toFixed(6)),
    "bogo-ops-per-second-real-time": Number(real.toFixed(6)),
    "wall-clock-time": Number(f.realSeconds.toFixed(6)),
    "user-time": Number(f.userSeconds.toFixed(6)),
    "system-time": Number(f.systemSeconds.toFixed(6)),
    ...extra,
  };
}
