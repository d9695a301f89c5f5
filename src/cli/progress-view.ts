import cliProgress from 'cli-progress';
import type { PipelineEvent } from '../stages/events.js';

/**
 * Renders pipeline events: a live bar (done/total, rate, ETA, retries, cost) on a terminal, and a plain line
 * every few seconds otherwise (CI logs, pipes). Only the CLI knows about terminals.
 */
export function createProgressView(stream: NodeJS.WriteStream = process.stderr, plainIntervalMs = 5000): { handle(event: PipelineEvent): void; stop(): void } {
  const interactive = stream.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let lastPlain = 0;
  let stageStart = Date.now();
  const say = (text: string): void => {
    if (bar) bar.stop();
    bar = undefined;
    stream.write(`${text}\n`);
  };
  return {
    handle(event) {
      switch (event.type) {
        case 'stage-started':
          stageStart = Date.now();
          if (event.total === undefined) say(`▶ ${event.stage}`);
          break;
        case 'stage-progress': {
          const payload = { retries: event.retries, cost: event.cost.toFixed(4), failed: event.failed, cached: event.cached ?? 0 };
          if (interactive) {
            if (!bar) {
              bar = new cliProgress.SingleBar(
                { format: `${event.stage} [{bar}] {value}/{total} | {percentage}% | ETA {eta_formatted} | failed {failed} | retries {retries} | cached {cached} | $ {cost}`, stream, hideCursor: true },
                cliProgress.Presets.shades_classic,
              );
              bar.start(event.total, event.done, payload);
            } else {
              bar.update(event.done, payload);
            }
          } else if (Date.now() - lastPlain >= plainIntervalMs || event.done + event.failed === event.total) {
            lastPlain = Date.now();
            const seconds = (Date.now() - stageStart) / 1000;
            const rate = seconds > 0 ? (event.done / seconds).toFixed(1) : '0';
            stream.write(`${event.stage}: ${event.done}/${event.total} done, ${event.failed} failed, ${event.retries} retries, ${rate}/s, $${event.cost.toFixed(4)}\n`);
          }
          break;
        }
        case 'stage-done':
          say(`✔ ${event.stage} ${summarize(event.figures)}`);
          break;
        case 'stage-skipped':
          say(`⏭ ${event.stage}: ${event.reason}`);
          break;
        case 'stage-failed':
          say(`✖ ${event.stage}: ${event.error}`);
          break;
        case 'batch-submitted':
          say(`${event.stage}: batch ${event.batchId} submitted (round ${event.round}, ${event.requests} requests)`);
          break;
        case 'batch-polled':
          if (interactive || Date.now() - lastPlain >= plainIntervalMs) {
            lastPlain = Date.now();
            say(`${event.stage}: batch ${event.batchId} ${event.status} (${event.completed}/${event.total} completed, ${event.failed} failed)`);
          }
          break;
        case 'training-step':
          if (Date.now() - lastPlain >= plainIntervalMs) {
            lastPlain = Date.now();
            say(`${event.stage}: step ${event.step}${event.totalSteps ? `/${event.totalSteps}` : ''}${event.loss !== undefined ? ` loss ${event.loss.toFixed(4)}` : ''}`);
          }
          break;
        case 'log':
          say(`${event.level === 'warn' ? '⚠ ' : ''}${event.stage}: ${event.message}`);
          break;
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

function summarize(figures: Record<string, unknown>): string {
  const parts = Object.entries(figures)
    .filter(([, value]) => typeof value === 'number' || typeof value === 'string')
    .slice(0, 10)
    .map(([key, value]) => `${key}=${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : String(value)}`);
  return parts.join(' ');
}
