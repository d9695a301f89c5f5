import type { VerdictConfig } from './evaluate-config.js';

export interface Verdict {
  label: 'viable' | 'marginal' | 'not ready';
  reason: string;
}

export interface VerdictInputs {
  metric: string;
  /** Primary metric on a 0..1 scale. */
  student: number;
  teacher: number;
  /** Teacher p50 latency / student p50 latency; undefined when not measured. */
  speedup: number | undefined;
}

const round = (value: number, digits: number): string => value.toFixed(digits);

/**
 * viable: the student loses at most `viable_max_drop` points of the primary metric and is at least `min_speedup`
 * times faster; marginal: it loses at most `marginal_max_drop` points (or would be viable but is not fast
 * enough); not ready otherwise. Points are on the 0-100 scale; boundaries are inclusive.
 */
export function decideVerdict(inputs: VerdictInputs, rule: VerdictConfig): Verdict {
  const drop = Math.round((inputs.teacher - inputs.student) * 100 * 1e9) / 1e9;
  const quality = `${inputs.metric} ${round(inputs.student * 100, 1)} vs teacher ${round(inputs.teacher * 100, 1)} (${drop >= 0 ? 'drop' : 'gain'} ${round(Math.abs(drop), 1)} points)`;
  const speed = inputs.speedup === undefined ? 'speed-up not measured' : `speed-up ${round(inputs.speedup, 2)}× (p50 latency)`;
  const fastEnough = inputs.speedup !== undefined && inputs.speedup >= rule.min_speedup;
  if (drop <= rule.viable_max_drop && fastEnough) {
    return { label: 'viable', reason: `${quality} ≤ ${rule.viable_max_drop} and ${speed} ≥ ${rule.min_speedup}×` };
  }
  if (drop <= rule.marginal_max_drop) {
    const reason =
      drop <= rule.viable_max_drop
        ? `${quality} ≤ ${rule.viable_max_drop}, but ${speed}, below ${rule.min_speedup}×`
        : `${quality} > ${rule.viable_max_drop} but ≤ ${rule.marginal_max_drop}; ${speed}`;
    return { label: 'marginal', reason };
  }
  return { label: 'not ready', reason: `${quality} > ${rule.marginal_max_drop}; ${speed}` };
}
