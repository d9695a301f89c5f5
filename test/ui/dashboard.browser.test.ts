import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPaths } from '../../src/stages/run-paths.js';
import { openDatabase } from '../../src/store/database.js';
import { RunState } from '../../src/store/run-state.js';
import { RunCatalog } from '../../src/ui/run-catalog.js';
import { startUiServer, type UiServer } from '../../src/ui/ui-server.js';
import { launchChromium, screenshotDir } from './browser.js';
import { buildFixtureRun, type FixtureTruth } from './fixture-run.js';

let root: string;
let truth: FixtureTruth;
let other: FixtureTruth;
let server: UiServer;
let browser: Browser;
let page: Page;
let base: string;

const shot = (name: string) => page.screenshot({ path: join(screenshotDir(), `${name}.png`), fullPage: true });
const texts = (selector: string) => page.locator(selector).allTextContents();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'distillery-ui-'));
  truth = buildFixtureRun(join(root, 'grammar-a'));
  other = buildFixtureRun(join(root, 'grammar-b'), { dropped: 25, kept: 70, trainingSteps: 16, studentWrongEvery: 4 });
  server = await startUiServer({ catalog: new RunCatalog({ runsDir: root }), host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${server.port}`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('distillery ui in a real browser', () => {
  it('lists every run with its verdict, and compares two with metric deltas', async () => {
    await page.goto(`${base}/`);
    await expect(page.locator('[data-testid=runs] tr').count()).resolves.toBe(3);
    expect(await page.locator('[data-testid=runs]').textContent()).toContain('marginal');
    await shot('runs');
    await page.selectOption('select[name=a]', 'grammar-a');
    await page.selectOption('select[name=b]', 'grammar-b');
    await page.click('button:has-text("Compare")');
    await page.waitForSelector('[data-testid=deltas]');
    const metric = truth.report.primary_metric;
    const delta = (other.report.models.student!.metrics[metric]!.value - truth.report.models.student!.metrics[metric]!.value) * 100;
    const cells = await page.locator('[data-testid=deltas] tr', { hasText: 'student' }).first().locator('td').allTextContents();
    expect(cells).toEqual(['student', metric, (truth.report.models.student!.metrics[metric]!.value * 100).toFixed(1), (other.report.models.student!.metrics[metric]!.value * 100).toFixed(1), `+${delta.toFixed(1)}`]);
    expect(delta).toBeGreaterThan(0);
    await shot('compare');
  });

  it('shows the verdict and the funnel numbers of funnel.json on the overview', async () => {
    await page.goto(`${base}/runs/grammar-a`);
    expect(await page.locator('[data-testid=verdict]').textContent()).toContain(truth.report.verdict.label);
    expect(await page.locator('[data-testid=transfer-ratio]').textContent()).toBe(truth.report.transfer_ratio!.value.toFixed(3) + ' [0.700, 0.950]');
    expect(Number(await page.locator('[data-testid=funnel-raw]').textContent())).toBe(truth.funnel.raw);
    expect((await texts('[data-testid=funnel-kept]')).map(Number)).toEqual(truth.funnel.steps.map((step) => step.kept));
    expect((await texts('[data-testid=funnel-dropped]')).map(Number)).toEqual(truth.funnel.steps.map((step) => step.dropped));
    expect(Number(await page.locator('[data-testid=funnel-final]').textContent())).toBe(truth.funnel.kept);
    expect(await page.locator('[data-testid=stages]').textContent()).toContain('done');
    expect(await page.locator('[data-testid=total-cost]').textContent()).toBe('$0.0165');
    await shot('overview');
  });

  it('filters dropped rows by a reason: only rows with that reason, as many as were dropped for it', async () => {
    await page.goto(`${base}/runs/grammar-a/data/dropped`);
    expect(await page.locator('.total').first().textContent()).toBe(String(Object.values(truth.droppedByReason).reduce((sum, count) => sum + count, 0)));
    await page.selectOption('[data-testid=reason-filter]', 'near_duplicate');
    await page.click('[data-testid=filters] button');
    await page.waitForURL(/reason=near_duplicate/);
    const reasons = await texts('[data-testid=rows] td.reason');
    expect(reasons.length).toBe(truth.droppedByReason.near_duplicate);
    expect(new Set(reasons)).toEqual(new Set(['near_duplicate']));
    expect(await page.locator('.total').first().textContent()).toBe(String(truth.droppedByReason.near_duplicate));
    await shot('dropped-near-duplicate');
  });

  it('lists what one funnel step dropped when it is clicked', async () => {
    await page.goto(`${base}/runs/grammar-a/curation`);
    await shot('curation');
    const dedup = truth.funnel.steps.find((step) => step.filter === 'dedup')!;
    await page.locator('[data-testid=funnel] tr', { hasText: 'dedup' }).locator('a').click();
    await page.waitForURL(/step=dedup/);
    const reasons = await texts('[data-testid=rows] td.reason');
    expect(reasons.length).toBe(dedup.dropped);
    expect(new Set(reasons)).toEqual(new Set(['exact_duplicate', 'near_duplicate']));
    // The chart's bars are links too.
    await page.goto(`${base}/runs/grammar-a/curation`);
    const length = truth.funnel.steps.find((step) => step.filter === 'length')!;
    await page.locator('[data-testid=funnel-chart] a[data-step=length] rect').click();
    await page.waitForURL(/step=length/);
    expect(await texts('[data-testid=rows] td.reason')).toEqual(Array.from({ length: length.dropped }, () => 'length'));
  });

  it('searches teacher outputs and folds the reasoning away', async () => {
    await page.goto(`${base}/runs/grammar-a/data/outputs`);
    const details = page.locator('[data-testid=rows] details').first();
    expect(await details.getAttribute('open')).toBeNull();
    await page.fill('[data-testid=search]', 'sentence number 42 ');
    await page.click('[data-testid=filters] button');
    await page.waitForURL(/q=sentence/);
    expect(await page.locator('[data-testid=rows] tr').count()).toBe(2);
    expect(await page.locator('[data-testid=rows]').textContent()).toContain('This is sentence number 42 with an error in it.');
    await shot('outputs-search');
  });

  it('shows split rows as the student sees them: system, user, assistant prefix, answer', async () => {
    await page.goto(`${base}/runs/grammar-a/data/train`);
    const firstRow = page.locator('[data-testid=rows] tr').nth(1);
    const cells = await firstRow.locator('td').allTextContents();
    expect(cells[1]).toContain('Please correct the grammar');
    expect(cells[3]).toBe(JSON.stringify('<think>\n\n</think>\n\n'));
    expect(cells[4]).toMatch(/^This is sentence number \d+ with an error in it\.$/);
    await shot('split-train');
  });

  it('lists exactly the items where the student is wrong and the teacher right under the compression filter', async () => {
    await page.goto(`${base}/runs/grammar-a/evaluation`);
    await shot('evaluation');
    // Each model's latency histogram counts every one of its predictions.
    for (const model of ['student', 'teacher', 'baseline']) {
      const counts = await page.locator(`[data-testid=latency-histograms] g[data-model=${model}] rect`).evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute('data-count'))));
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(truth.report.models[model]!.n);
    }
    await page.selectOption('[data-testid=class-filter]', 'compression');
    await page.click('form.filters button');
    await page.waitForURL(/class=compression/);
    const ids = await texts('[data-testid=items] .item-id');
    expect(ids.sort()).toEqual([...truth.compression].sort());
    expect(ids.length).toBeGreaterThan(0);
    for (const row of await page.locator('[data-testid=items] tr').all()) {
      if ((await row.locator('td').count()) === 0) continue;
      expect(await row.locator('[data-model=student] [data-correct]').getAttribute('data-correct')).toBe('false');
      expect(await row.locator('[data-model=teacher] [data-correct]').getAttribute('data-correct')).toBe('true');
    }
    expect(await page.locator('[data-testid=items] .judge').first().textContent()).toContain('judge: invalid');
    await shot('evaluation-compression');
    await page.selectOption('[data-testid=class-filter]', 'inherited');
    await page.click('form.filters button');
    await page.waitForURL(/class=inherited/);
    expect((await texts('[data-testid=items] .item-id')).sort()).toEqual([...truth.inherited].sort());
    // By stratum: the even items are the 1-10 bucket.
    await page.selectOption('[data-testid=class-filter]', 'all');
    await page.selectOption('[data-testid=stratum-filter]', 'length_bucket=1-10');
    await page.click('form.filters button');
    await page.waitForURL(/stratum=length_bucket/);
    const bucket = await texts('[data-testid=items] .item-id');
    expect(bucket).toEqual(Array.from({ length: 15 }, (_, index) => `item-${index * 2}`));
  });

  it('draws one point per logged step on the loss chart and marks the chosen checkpoint', async () => {
    await page.goto(`${base}/runs/grammar-a/training`);
    expect(await page.locator('[data-testid=step-chart] circle.train_loss').count()).toBe(truth.loggedSteps);
    expect(await page.locator('[data-testid=step-chart] circle.valid_loss').count()).toBe(2);
    expect(await page.locator('[data-testid=step-chart] [data-chosen-step]').count()).toBe(1);
    expect(await page.locator('[data-testid=chosen]').locator('xpath=ancestor::tr').textContent()).toContain(truth.chosenCheckpoint);
    expect(await page.locator('body').textContent()).toContain('lora_r');
    await shot('training');
  });

  it('shows requests over time, fallbacks by reason and the capture command', async () => {
    await page.goto(`${base}/runs/grammar-a/serving`);
    expect(Number(await page.locator('[data-testid=served-total]').textContent())).toBe(truth.served);
    const rows = await page.locator('[data-testid=fallback-reasons] tr').all();
    const shown: Record<string, number> = {};
    for (const row of rows.slice(1)) {
      const [reason, count] = await row.locator('td').allTextContents();
      shown[reason!] = Number(count);
    }
    expect(shown).toEqual(truth.fallbacks);
    expect(Number(await page.locator('[data-testid=fallback-total]').textContent())).toBe(Object.values(truth.fallbacks).reduce((sum, count) => sum + count, 0));
    // One row per distinct input, as capture exports them, with how many requests each had.
    const listed = await page.locator('[data-testid=fell-back] tr').evaluateAll((rows) => rows.slice(1).map((row) => Number(row.children[1]!.textContent)));
    expect(listed.length).toBe(truth.fellBackInputs);
    expect(listed.reduce((sum, count) => sum + count, 0)).toBe(Object.values(truth.fallbacks).reduce((sum, count) => sum + count, 0));
    expect(await page.locator('[data-testid=capture-command]').textContent()).toContain(`distillery capture --run-dir ${truth.dir} --only fallback`);
    await shot('serving');
  });

  it('refreshes the stage timeline while a run goes', async () => {
    const live = buildFixtureRun(join(root, 'live-run'), { runningStage: 'evaluate' });
    await page.goto(`${base}/runs/live-run`);
    const evaluateRow = page.locator('[data-testid=stages] tr', { hasText: 'evaluate' });
    expect(await evaluateRow.textContent()).toContain('running');
    // Its progress, from what it has written: three models' predictions on 30 items.
    expect(await evaluateRow.textContent()).toContain('90 predictions');
    const database = openDatabase(runPaths(live.dir).database);
    try {
      new RunState(database).finishStage('evaluate', { items: 30 });
    } finally {
      database.close();
    }
    // No reload: the page fetches the timeline again by itself.
    await page.locator('[data-testid=stages] tr', { hasText: 'evaluate' }).locator('.state-done').waitFor({ timeout: 8000 });
    expect(page.url()).toBe(`${base}/runs/live-run`);
  });
});
