/**
 * The dashboard's dropped-rows filter, timed in a real browser (Debian chromium via playwright-core) over a run
 * whose curation dropped 100,000 rows: from the click on "Filter" to the first page of matching rows shown.
 * Prints the first page open (the JSONL line index and the reason facet are built then), the filter by each
 * reason (median and worst of several rounds), a text search (first, which lowers every row once, then warm),
 * and the deepest page. Target: a reason filter under 300 ms.
 *
 *   npx tsx bench/ui-filter.ts [--dropped 100000] [--rounds 5]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { runPaths } from '../src/stages/run-paths.js';
import { RunCatalog } from '../src/ui/run-catalog.js';
import { startUiServer } from '../src/ui/ui-server.js';
import { launchChromium } from '../test/ui/browser.js';
import { buildFixtureRun } from '../test/ui/fixture-run.js';

const { values } = parseArgs({ options: { dropped: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '5' } } });
const dropped = Number(values.dropped);
const rounds = Number(values.rounds);

const median = (list: number[]): number => [...list].sort((left, right) => left - right)[Math.floor(list.length / 2)]!;

/** The browser's own figure for the last navigation: its start (the click) to DOMContentLoaded, in ms. */
const browserTimings: number[] = [];
const serverTimings: number[] = [];
async function recordBrowserTiming(page: Page): Promise<void> {
  // Strings, evaluated in the page: Node's types know no PerformanceNavigationTiming.
  browserTimings.push(Number(await page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")));
  serverTimings.push(Number(await page.evaluate("performance.getEntriesByType('navigation')[0].serverTiming.find((entry) => entry.name === 'render').duration")));
}

/** Milliseconds from the action (as Playwright sees it) to the first row of the new page being visible. */
async function timed(page: Page, action: () => Promise<unknown>, url: RegExp): Promise<number> {
  const started = performance.now();
  await Promise.all([page.waitForURL(url), action()]);
  await page.locator('[data-testid=rows] tr').nth(1).waitFor({ state: 'visible', timeout: 10_000 }).catch(async (error: unknown) => {
    throw new Error(`no rows at ${page.url()}: ${(await page.locator('main').textContent())?.slice(0, 300)}`, { cause: error });
  });
  const elapsed = performance.now() - started;
  await recordBrowserTiming(page);
  return elapsed;
}

const root = mkdtempSync(join(tmpdir(), 'distillery-ui-bench-'));
try {
  let started = performance.now();
  const truth = buildFixtureRun(join(root, 'big'), { dropped, kept: 100 });
  const bytes = statSync(runPaths(truth.dir).curate.dropped).size;
  process.stdout.write(`fixture: ${dropped.toLocaleString('en')} dropped rows (${(bytes / 1e6).toFixed(1)} MB of JSONL) built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  const server = await startUiServer({ catalog: new RunCatalog({ runDir: truth.dir }), host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const path = `http://127.0.0.1:${server.port}/runs/big/data/dropped`;
    started = performance.now();
    await page.goto(path);
    await page.locator('[data-testid=rows] tr').nth(1).waitFor();
    process.stdout.write(`first open of the dropped rows (line index + reason facet built): ${(performance.now() - started).toFixed(0)} ms\n`);
    const reasons = Object.keys(truth.droppedByReason);
    const timings: Record<string, number[]> = Object.fromEntries(reasons.map((reason) => [reason, []]));
    for (let round = 0; round < rounds; round++) {
      for (const reason of reasons) {
        await page.goto(path);
        await page.selectOption('[data-testid=reason-filter]', reason);
        timings[reason]!.push(await timed(page, () => page.click('[data-testid=filters] button'), new RegExp(`reason=${reason}`)));
        const shown = await page.locator('.total').first().textContent();
        if (Number(shown?.replace(/,/g, '')) !== truth.droppedByReason[reason]) throw new Error(`filter ${reason} shows ${shown} rows, expected ${truth.droppedByReason[reason]}`);
      }
    }
    const all = Object.values(timings).flat();
    for (const reason of reasons) process.stdout.write(`filter reason=${reason} (${truth.droppedByReason[reason]!.toLocaleString('en')} rows): median ${median(timings[reason]!).toFixed(0)} ms\n`);
    process.stdout.write(`reason filter → first page shown: median ${median(all).toFixed(0)} ms, worst ${Math.max(...all).toFixed(0)} ms over ${all.length} filters (target < 300 ms)\n`);
    const inBrowser = browserTimings.splice(0);
    const inServer = serverTimings.splice(0);
    process.stdout.write(`  the browser's own navigation timing (click → DOMContentLoaded): median ${median(inBrowser).toFixed(0)} ms, worst ${Math.max(...inBrowser).toFixed(0)} ms\n`);
    process.stdout.write(`  of which the server (filter, read 50 rows, render; Server-Timing): median ${median(inServer).toFixed(1)} ms, worst ${Math.max(...inServer).toFixed(1)} ms\n`);
    const search = async (text: string) => {
      await page.goto(path);
      await page.fill('[data-testid=search]', text);
      return timed(page, () => page.click('[data-testid=filters] button'), /q=/);
    };
    const firstSearch = await search('sentence number 777');
    const warm = [];
    for (let round = 0; round < rounds; round++) warm.push(await search(`sentence number ${round + 1}2`));
    const searchServer = serverTimings.splice(0);
    process.stdout.write(`text search → first page: first ${firstSearch.toFixed(0)} ms (lowers every row once; server ${searchServer[0]!.toFixed(0)} ms), then median ${median(warm).toFixed(0)} ms (server median ${median(searchServer.slice(1)).toFixed(1)} ms)\n`);
    const lastPage = Math.ceil(dropped / 50);
    const deep = await timed(page, () => page.goto(`${path}?page=${lastPage}`), new RegExp(`page=${lastPage}`));
    process.stdout.write(`page ${lastPage.toLocaleString('en')} (the last) of all dropped rows: ${deep.toFixed(0)} ms\n`);
    process.stdout.write(`load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores while measuring\n`);
    process.stdout.write(`server RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB (fixture, indexes and all)\n`);
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
