import { describe, expect, it } from 'vitest';
import { evaluationReportSchema, type EvaluationReport } from './evaluation-report-schema.js';
import { renderHtml } from './html-report.js';
import { renderMarkdown } from './markdown-report.js';
import type { ReportContent } from './report-content.js';

const ATTACK = `<script>alert("x")</script><img src=x onerror='alert(1)'>&`;

function reportWith(text: string): EvaluationReport {
  const model = {
    model_id: `m-${text}`, endpoint: 'fake', n: 2, failed: 0,
    metrics: { exact_match: { value: 0.5, ci95: [0.1, 0.9] as [number, number], method: 'wilson' } },
    latency_ms: { p50: 10, p95: 20, p99: 30, mean: 12 }, time_to_first_token_ms: null, throughput_rps: 5, tokens_per_request: { prompt: 10, completion: 5 }, cost_per_1k: 0.01, priced: true, cached: 0,
  };
  return evaluationReportSchema.parse({
    primary_metric: 'exact_match', models: { student: model, [text]: model }, comparisons: [], transfer_ratio: { value: 1, ci95: null }, speedup: { [text]: 2 },
    judge_calls: { needed: 1, saved: 3 }, unparsable_verdicts: [{ input: text, prediction: text, reply: text, error: null }], pairwise: null, error_analysis: null,
    strata: { length_bucket: { [text]: { n: 1, metrics: { student: { exact_match: 1 } } } } }, verdict: { label: 'marginal', reason: text }, notes: [text],
  });
}

const content = (text: string): ReportContent => ({
  title: text,
  report: reportWith(text),
  examples: [{ id: text, input: `fix ${text}`, references: [text], outputs: [{ model: 'student', output: `fixed ${text}`, correct: true }] }],
  latencySamples: { student: [5, 10, 30] },
  earlier: { funnel: { raw: 10, steps: [{ filter: text, kept: 8, dropped: 2 }], kept: 8 }, losses: { unit: 'epoch', train: [2, 1], valid: [2.5, 1.5] } },
});

describe('renderHtml', () => {
  it('escapes model outputs, ids, model names and reasons everywhere (no tag from the data survives)', () => {
    const html = renderHtml(content(ATTACK));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/onerror='/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;&amp;');
  });

  it('is self-contained: inline style and SVG charts, no script and no external reference', () => {
    const html = renderHtml(content('plain'));
    expect(html).toContain('<style>');
    expect(html.match(/<svg /g)?.length).toBe(4); // interval plot, latency, funnel, loss curves
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
  });

  it('shows the word diff of each output against its input', () => {
    expect(renderHtml(content('plain'))).toContain('<del>fix</del> <ins>fixed</ins> plain');
  });
});

describe('renderMarkdown', () => {
  it('escapes HTML and table pipes from model text', () => {
    const markdown = renderMarkdown(content('a|b <b>bold</b>'));
    expect(markdown).not.toContain('<b>');
    expect(markdown).toContain('a\\|b &lt;b&gt;bold&lt;/b&gt;');
    expect(markdown).toContain('~~fix~~ **fixed**');
    expect(renderMarkdown(content("the teacher's"))).toContain("the teacher's");
  });
});
