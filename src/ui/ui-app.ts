import { existsSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { escapeHtml } from '../report/escape-html.js';
import { DATA_KINDS, reasonOf } from './data-kinds.js';
import { page } from './html-page.js';
import { comparePage } from './pages/compare-page.js';
import { curationPage } from './pages/curation-page.js';
import { dataPage } from './pages/data-page.js';
import { evaluationPage } from './pages/evaluation-page.js';
import { overviewPage } from './pages/overview-page.js';
import { runsPage } from './pages/runs-page.js';
import { servingPage } from './pages/serving-page.js';
import { timelineSection } from './pages/timeline-section.js';
import { trainingPage } from './pages/training-page.js';
import type { RunCatalog, RunEntry } from './run-catalog.js';
import { funnelOf, readSnapshot } from './run-snapshot.js';
import { pageOf, selectRows } from './row-selection.js';
import { readEvaluationView, type ItemClass } from './evaluation-view.js';
import { readServingView } from './serving-view.js';
import { readTrainingView } from './training-view.js';

const PAGE_SIZE = 50;

// A query value out of range falls back to its default: a hand-edited address shows a page, not an error.
const pageNumber = z.coerce.number().int().min(1).max(1_000_000).catch(1);
const text = z.string().catch('').default('');
const dataQuery = z.object({ q: text, reason: text, step: text, page: pageNumber });
const itemClasses = ['all', 'compression', 'inherited', 'disagreement', 'student_only_correct'] as const satisfies readonly ItemClass[];
const evaluationQuery = z.object({ class: z.enum(itemClasses).catch('all'), stratum: text, page: pageNumber });

class NotFound extends Error {}

function notFound(what: string): Response {
  return new Response(page({ title: 'Not found', active: '', body: `<h1>Not found</h1><p>${escapeHtml(what)}</p><p><a href="/">All runs</a></p>` }), { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' } });
}

/**
 * The dashboard's routes: HTML pages over the catalog's runs, read-only (GET only; any other method is 405).
 * Query strings are validated; a run name is looked up in the catalog, never joined onto a path.
 */
export function createUiApp(catalog: RunCatalog): Hono {
  const app = new Hono();
  const runOf = (context: Context): RunEntry => {
    const entry = catalog.find(context.req.param('run') ?? '');
    if (entry === undefined) throw new NotFound(`no run named ${context.req.param('run') ?? ''}`);
    return entry;
  };
  const snapshotOf = (entry: RunEntry) => readSnapshot(entry, catalog.filesOf(entry));

  app.use('*', async (context, next) => {
    if (context.req.method !== 'GET' && context.req.method !== 'HEAD') return context.text('read-only', 405);
    const started = performance.now();
    await next();
    context.header('cache-control', 'no-store');
    // The server's share of a page's time, visible in the browser's navigation timing (and bench/ui-filter.ts).
    context.header('server-timing', `render;dur=${(performance.now() - started).toFixed(1)}`);
  });

  app.get('/', (context) => {
    const single = catalog.single;
    if (single) return context.redirect(`/runs/${encodeURIComponent(single.name)}`);
    return context.html(runsPage(catalog.list().map(snapshotOf)));
  });
  app.get('/runs', (context) => context.html(runsPage(catalog.list().map(snapshotOf))));
  app.get('/compare', (context) => {
    const [left, right] = [catalog.find(context.req.query('a') ?? ''), catalog.find(context.req.query('b') ?? '')];
    if (!left || !right) throw new NotFound('compare needs two known runs: ?a=RUN&b=RUN');
    return context.html(comparePage(snapshotOf(left), snapshotOf(right)));
  });
  app.get('/runs/:run', (context) => context.html(overviewPage(snapshotOf(runOf(context)))));
  app.get('/runs/:run/timeline', (context) => context.html(timelineSection(snapshotOf(runOf(context)))));
  app.get('/runs/:run/data/:kind', (context) => {
    const entry = runOf(context);
    const kind = DATA_KINDS.find((candidate) => candidate.name === context.req.param('kind'));
    if (kind === undefined) throw new NotFound(`no data page ${context.req.param('kind')}`);
    const query = dataQuery.parse(context.req.query());
    const files = catalog.filesOf(entry);
    const path = kind.path(files);
    const rows = files.rows(path);
    const facet = kind.name === 'dropped' ? files.facet(path, 'reason', reasonOf) : undefined;
    const selected = selectRows(rows, { facetValue: query.reason || undefined, step: query.step || undefined, search: query.q }, facet, funnelOf(files));
    const { rowNumbers, total, page: shownPage } = pageOf(rows, selected, query.page, PAGE_SIZE);
    return context.html(
      dataPage({
        run: entry.name, kind, kinds: DATA_KINDS, filter: { q: query.q, reason: query.reason, step: query.step }, reasons: facet?.counts(),
        rows: rows.read(rowNumbers) as Record<string, unknown>[], rowNumbers, total, page: shownPage, pageSize: PAGE_SIZE, fileExists: existsSync(path), files,
      }),
    );
  });
  app.get('/runs/:run/curation', (context) => {
    const entry = runOf(context);
    const files = catalog.filesOf(entry);
    return context.html(curationPage(snapshotOf(entry), files.facet(files.paths.curate.dropped, 'reason', reasonOf).counts()));
  });
  app.get('/runs/:run/training', (context) => {
    const entry = runOf(context);
    return context.html(trainingPage(entry.name, readTrainingView(catalog.filesOf(entry))));
  });
  app.get('/runs/:run/evaluation', (context) => {
    const entry = runOf(context);
    const query = evaluationQuery.parse(context.req.query());
    return context.html(evaluationPage(entry.name, readEvaluationView(catalog.filesOf(entry)), { itemClass: query.class, stratum: query.stratum, page: query.page, pageSize: PAGE_SIZE }));
  });
  app.get('/runs/:run/serving', (context) => {
    const entry = runOf(context);
    const number = pageNumber.parse(context.req.query('page'));
    return context.html(servingPage(entry, readServingView(catalog.filesOf(entry), number, PAGE_SIZE), number, PAGE_SIZE));
  });

  app.notFound(() => notFound('no such page'));
  app.onError((error) => {
    if (error instanceof NotFound) return notFound(error.message);
    process.stderr.write(`distillery ui: ${error.stack ?? String(error)}\n`);
    return new Response(page({ title: 'Error', active: '', body: '<h1>Something went wrong</h1><p>The server log has the detail.</p>' }), { status: 500, headers: { 'content-type': 'text/html; charset=utf-8' } });
  });
  return app;
}
