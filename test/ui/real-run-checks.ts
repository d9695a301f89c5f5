import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { evaluationReportSchema } from '../../src/report/evaluation-report-schema.js';
import { runPaths } from '../../src/stages/run-paths.js';
import { RunCatalog } from '../../src/ui/run-catalog.js';
import { createUiApp } from '../../src/ui/ui-app.js';

/**
 * The dashboard over a run the real pipeline made (the offline loop's): every page answers, the overview
 * shows the report's verdict, and the compression filter lists exactly the report's compression ids.
 * Throws on the first mismatch, naming it.
 */
export async function checkDashboardOverRun(runDir: string): Promise<void> {
  const app = createUiApp(new RunCatalog({ runDir }));
  const name = encodeURIComponent(basename(resolve(runDir)));
  const report = evaluationReportSchema.parse(JSON.parse(readFileSync(runPaths(runDir).evaluate.report, 'utf8')));
  for (const page of ['', '/data/inputs', '/data/outputs', '/data/kept', '/data/dropped', '/data/train', '/data/validation', '/curation', '/training', '/evaluation', '/serving']) {
    const response = await app.request(`/runs/${name}${page}`);
    if (response.status !== 200) throw new Error(`dashboard page ${page || '/'} answered ${response.status}`);
  }
  const overview = await (await app.request(`/runs/${name}`)).text();
  if (!overview.includes(`<strong>${report.verdict.label}</strong>`)) throw new Error(`the overview does not show the verdict ${report.verdict.label}`);
  const compression = await (await app.request(`/runs/${name}/evaluation?class=compression`)).text();
  const listed = [...compression.matchAll(/<span class="item-id">([^<]*)<\/span>/g)].map((match) => match[1]).sort();
  const expected = [...(report.error_analysis?.ids.compression ?? [])].sort();
  if (JSON.stringify(listed) !== JSON.stringify(expected)) throw new Error(`the compression filter lists ${listed.join(', ')}; the report says ${expected.join(', ')}`);
  const training = await (await app.request(`/runs/${name}/training`)).text();
  const metrics = JSON.parse(readFileSync(runPaths(runDir).train.metrics, 'utf8')) as { steps: { train_loss: number | null }[] };
  const points = training.match(/<circle class="point train_loss"/g)?.length ?? 0;
  const logged = metrics.steps.filter((step) => step.train_loss !== null).length;
  if (points !== logged) throw new Error(`the loss chart has ${points} training points for ${logged} logged steps`);
}
