import type { Status } from '../types.js';

/** How many results the percent state change looks at (Nagios: the last 21 checks). */
export const flapWindow = 21;

// Nagios Core, base/flapping.c: low_curve_value and high_curve_value.
const oldestWeight = 0.75;
const newestWeight = 1.25;

/**
 * Nagios' percent state change of a check's last results (oldest first; only the last 21
 * count), from 0 to 100. Each of the 20 transitions between consecutive results that changes
 * state counts with a weight growing linearly from 0.75 (the oldest) to 1.25 (the newest), and
 * the sum is taken as a percentage of 20 transitions: "Detection and Handling of State
 * Flapping" in the Nagios Core documentation (flapping.html), weights from its source,
 * base/flapping.c. With fewer than 21 results the missing older ones count as unchanged.
 * Nagios records hard states only; healthcheckd records every result, rise/fall not applied.
 */
export function percentStateChange(statuses: readonly Status[]): number {
  const window = statuses.slice(-flapWindow);
  const offset = flapWindow - window.length;
  let weighted = 0;
  for (let i = 1; i < window.length; i += 1) {
    if (window[i] === window[i - 1]) continue;
    const position = offset + i - 1; // 0 for the oldest transition of a full window, 19 newest.
    weighted += oldestWeight + (position * (newestWeight - oldestWeight)) / (flapWindow - 2);
  }
  return (weighted * 100) / (flapWindow - 1);
}

/** A flapping check stops flapping below this share of its `flap_threshold` (hysteresis). */
export const flapStopRatio = 0.75;

/**
 * Whether a check flaps after a result, with hysteresis as Nagios' high and low thresholds: it
 * starts flapping when the percent state change goes above `thresholdPercent`, and stops when
 * it falls below three quarters of it (20 % starts, under 15 % stops).
 */
export function nextFlapping(was: boolean, percent: number, thresholdPercent: number): boolean {
  return was ? percent >= thresholdPercent * flapStopRatio : percent > thresholdPercent;
}
