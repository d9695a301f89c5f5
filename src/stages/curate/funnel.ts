import type { DroppedRecord } from './filter.js';

export interface FunnelStep {
  filter: string;
  kept: number;
  dropped: number;
  report?: unknown;
}

export interface FunnelExample {
  id: string;
  input: string;
  output: string;
  detail: unknown;
}

export interface Funnel {
  raw: number;
  steps: FunnelStep[];
  kept: number;
  /** Up to three dropped records per reason, to eyeball what each filter removes. */
  examples: Record<string, FunnelExample[]>;
}

const EXAMPLES_PER_REASON = 3;
const EXAMPLE_CHARS = 200;

export function collectExamples(dropped: readonly DroppedRecord[]): Record<string, FunnelExample[]> {
  const examples: Record<string, FunnelExample[]> = {};
  for (const { record, reason, detail } of dropped) {
    const list = (examples[reason] ??= []);
    if (list.length >= EXAMPLES_PER_REASON) continue;
    list.push({ id: record.id, input: record.input.slice(0, EXAMPLE_CHARS), output: record.output.slice(0, EXAMPLE_CHARS), detail });
  }
  return examples;
}

/** `raw 2000 → truncated 1990 → length 1931 → … → kept 1700`. */
export function renderFunnel(funnel: Funnel): string {
  const steps = funnel.steps.map((step) => `${step.filter.replace(/^drop_/, '')} ${step.kept}`);
  return [`raw ${funnel.raw}`, ...steps].join(' → ');
}
