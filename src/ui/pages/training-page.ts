import { escapeHtml } from '../../report/escape-html.js';
import { lossChart } from '../../report/loss-chart.js';
import { htmlTable, page } from '../html-page.js';
import { stepLossChart } from '../step-loss-chart.js';
import type { TrainingView } from '../training-view.js';

const loss = (value: number | null): string => (value === null ? '–' : value.toFixed(4));

/** Loss per step (train and validation, chosen checkpoint marked), loss per epoch, checkpoints, hyperparameters. */
export function trainingPage(run: string, view: TrainingView): string {
  const parts: string[] = ['<h1>Training</h1>'];
  if (view.source === 'none') parts.push('<p class="muted">No training logged yet.</p>');
  if (view.source === 'events') parts.push('<p class="muted">Training in progress: curves from <code>train/events.jsonl</code>, reloaded every 5 s.</p>');
  if (Object.keys(view.about).length > 0) parts.push(htmlTable(['', ''], Object.entries(view.about).map(([key, value]) => [escapeHtml(key), escapeHtml(value)])));
  if (view.steps.length + view.evaluations.length > 0) {
    parts.push(
      `<div data-testid="step-chart">${stepLossChart(
        [
          { name: 'train_loss', points: view.steps },
          { name: 'valid_loss', points: view.evaluations },
        ],
        view.chosen,
      )}</div>`,
      `<p><span data-testid="logged-steps">${view.steps.length}</span> steps logged with a training loss, ${view.evaluations.length} validation evaluations.</p>`,
    );
  }
  if (view.epochs.length > 0) {
    parts.push(`<div data-testid="epoch-chart">${lossChart({ unit: 'epoch', train: view.epochs.flatMap((epoch) => (epoch.train === null ? [] : [epoch.train])), valid: view.epochs.flatMap((epoch) => (epoch.valid === null ? [] : [epoch.valid])) })}</div>`);
    parts.push(htmlTable(['epoch', 'train_loss (mean)', 'valid_loss'], view.epochs.map((epoch) => [String(epoch.epoch), loss(epoch.train), loss(epoch.valid)])));
  }
  if (view.checkpoints.length > 0) {
    parts.push(
      '<h2>Checkpoints</h2>',
      htmlTable(
        ['checkpoint', 'step', 'train_loss', 'valid_loss', ''],
        view.checkpoints.map((checkpoint) => [escapeHtml(checkpoint.id), String(checkpoint.step), loss(checkpoint.train_loss), loss(checkpoint.valid_loss), view.chosen?.id === checkpoint.id ? '<strong data-testid="chosen">chosen</strong>' : '']),
      ),
    );
  }
  const hyperparameters = Object.entries(view.hyperparameters);
  if (hyperparameters.length > 0) parts.push('<h2>Hyperparameters</h2>', htmlTable(['name', 'value'], hyperparameters.map(([key, value]) => [escapeHtml(key), `<code>${escapeHtml(JSON.stringify(value))}</code>`])));
  return page({ title: `Training · ${run}`, run, active: 'training', body: parts.join('\n'), refreshSeconds: view.source === 'events' ? 5 : undefined });
}
