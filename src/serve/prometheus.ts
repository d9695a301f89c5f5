/**
 * A small Prometheus text exposition (format 0.0.4) writer: counters, gauges and histograms with labels.
 * Written by hand because the format is small and the project adds no package for it.
 */

export type Labels = Record<string, string>;

interface Metric {
  render(): string[];
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`];
}

/** Values by label set; the key is the rendered label text, so equal label sets share a series. */
class Series<T> {
  private readonly values = new Map<string, { labels: Labels; value: T }>();
  constructor(private readonly create: () => T) {}

  get(labels: Labels): T {
    const key = labelText(labels);
    let entry = this.values.get(key);
    if (entry === undefined) {
      entry = { labels, value: this.create() };
      this.values.set(key, entry);
    }
    return entry.value;
  }

  set(labels: Labels, value: T): void {
    this.values.set(labelText(labels), { labels, value });
  }

  entries(): { labels: Labels; value: T }[] {
    return [...this.values.values()];
  }
}

export class Counter implements Metric {
  private readonly series = new Series<number>(() => 0);
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  increment(labels: Labels = {}, amount = 1): void {
    if (amount < 0) throw new RangeError(`counter ${this.name} cannot decrease`);
    this.series.set(labels, this.series.get(labels) + amount);
  }

  value(labels: Labels = {}): number {
    return this.series.get(labels);
  }

  render(): string[] {
    return [...header(this.name, this.help, 'counter'), ...this.series.entries().map(({ labels, value }) => `${this.name}${labelText(labels)} ${formatNumber(value)}`)];
  }
}

export class Gauge implements Metric {
  private readonly series = new Series<number>(() => 0);
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {
    this.series.get({});
  }

  add(amount: number, labels: Labels = {}): void {
    this.series.set(labels, this.series.get(labels) + amount);
  }

  value(labels: Labels = {}): number {
    return this.series.get(labels);
  }

  render(): string[] {
    return [...header(this.name, this.help, 'gauge'), ...this.series.entries().map(({ labels, value }) => `${this.name}${labelText(labels)} ${formatNumber(value)}`)];
  }
}

interface HistogramState {
  bucketCounts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  private readonly series: Series<HistogramState>;
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.series = new Series(() => ({ bucketCounts: buckets.map(() => 0), sum: 0, count: 0 }));
  }

  observe(value: number, labels: Labels = {}): void {
    const state = this.series.get(labels);
    this.buckets.forEach((bound, index) => {
      if (value <= bound) state.bucketCounts[index]! += 1;
    });
    state.sum += value;
    state.count += 1;
  }

  render(): string[] {
    const lines = header(this.name, this.help, 'histogram');
    for (const { labels, value } of this.series.entries()) {
      this.buckets.forEach((bound, index) => {
        lines.push(`${this.name}_bucket${labelText({ ...labels, le: formatNumber(bound) })} ${value.bucketCounts[index]!}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${value.count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${formatNumber(value.sum)}`);
      lines.push(`${this.name}_count${labelText(labels)} ${value.count}`);
    }
    return lines;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function renderMetrics(metrics: readonly Metric[]): string {
  return `${metrics.flatMap((metric) => metric.render()).join('\n')}\n`;
}
