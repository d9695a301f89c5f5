import { join } from 'node:path';
import { readJsonlTolerant, writeFileAtomic, writeJsonAtomic } from '../data/jsonl.js';
import { AbortedError } from '../errors.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import { isStageDone, type StageRunner } from '../pipeline/run-pipeline.js';
import { runStage } from '../pipeline/run-stage.js';
import { stageRunners } from '../pipeline/stage-runners.js';
import { trainedStudentResolver, type StudentAliases } from '../pipeline/student-target.js';
import type { StageContext } from '../stages/context.js';
import { evaluateConfigOf, runEvaluateStage } from '../stages/evaluate/evaluate-stage.js';
import { primaryMetricOf } from '../stages/evaluate/evaluate-config.js';
import { readEvaluationSet } from '../stages/evaluate/evaluation-set.js';
import { predictionRecordSchema } from '../stages/evaluate/prediction-record.js';
import { runSplitStage } from '../stages/split/split-stage.js';
import { runTrainStage } from '../stages/train/train-stage.js';
import { buildCompareReport, type EvaluatedVariant } from './build-compare-report.js';
import { compareReportSchema, type CompareReport } from './compare-report-schema.js';
import { compareHtml, compareMarkdown } from './compare-render.js';
import { ReferencePredictions } from './reference-predictions.js';
import { openVariant } from './variant-run.js';
import { variantsOf, type Variant } from './variant-task.js';

/** The local endpoint as compare uses it: names for each variant's student, and stopping a variant's server when it is done. */
export interface CompareLocal extends StudentAliases {
  models: { stopServedAs(servedName: string): Promise<void> };
}

export interface CompareResult {
  report: CompareReport;
  /** Per variant, the stages run now (an empty list: done before, with the same config). */
  ran: Record<string, string[]>;
  /** The shared stages run now (inputs, generate, curate). */
  shared: string[];
}

const VARIANT_STAGES = ['split', 'train', 'evaluate'] as const;

/**
 * `distillery compare`: inputs, generation and curation once (skipped when done), then for each variant its own
 * split, train and evaluate under `variants/<name>/`, each skipped when done with the variant's config. The
 * teacher and the other reference models are asked once (variants/reference.json); each variant asks only its
 * student. Then `variants/compare.json` and the run's report.md / report.html hold the comparison table.
 */
export async function runCompare(context: StageContext, local: CompareLocal): Promise<CompareResult> {
  const { variants, against } = variantsOf(context.task);
  const shared = await runPipeline(context, stageRunners(context, local), { to: 'curate' });
  if (context.signal.aborted) throw new AbortedError('stopped before the variants; run the same command again to continue');
  const reference = new ReferencePredictions(context.task, context.paths.root);
  const evaluated: EvaluatedVariant[] = [];
  const ran: Record<string, string[]> = {};
  for (const variant of variants) {
    context.emit({ type: 'log', stage: 'compare', level: 'info', message: `variant ${variant.name}${variant.description ? `: ${variant.description}` : ''}` });
    const { paths, stages } = await runVariant(context, variant, local, reference);
    evaluated.push({ variant, paths });
    ran[variant.name] = stages;
  }
  const config = evaluateConfigOf(context);
  const items = await readEvaluationSet(context.task, config.data, { environment: context.environment });
  const report = compareReportSchema.parse(
    buildCompareReport({ name: context.task.config.name, config, primary: primaryMetricOf(config), items, variants: evaluated, against, generationSummary: context.paths.generate.summary }),
  );
  writeJsonAtomic(join(context.paths.root, 'variants', 'compare.json'), report);
  writeFileAtomic(context.paths.reportMarkdown, compareMarkdown(report));
  writeFileAtomic(context.paths.reportHtml, compareHtml(report));
  return { report, ran, shared: shared.ran };
}

async function runVariant(context: StageContext, variant: Variant, local: CompareLocal, reference: ReferencePredictions): Promise<{ paths: EvaluatedVariant['paths']; stages: string[] }> {
  const opened = openVariant(context, variant);
  const variantContext = opened.context;
  // Each variant's student answers under its own name: the response cache never hands one variant another's answers.
  const servedName = `distillery-student-${variant.name}`;
  const runners: Record<(typeof VARIANT_STAGES)[number], StageRunner> = {
    split: () => runSplitStage(variantContext),
    train: () => runTrainStage(variantContext),
    evaluate: async () => {
      const known = reference.load();
      const figures = await runEvaluateStage(variantContext, trainedStudentResolver(variantContext, local, servedName), { known });
      if (known === undefined) reference.save(readJsonlTolerant(variantContext.paths.evaluate.predictions).map((value) => predictionRecordSchema.parse(value)));
      return figures;
    },
  };
  const stages: string[] = [];
  try {
    let rerunRest = false;
    for (const stage of VARIANT_STAGES) {
      if (!rerunRest && isStageDone(variantContext, stage)) {
        context.emit({ type: 'stage-skipped', stage, reason: `variant ${variant.name}: done with its current config` });
        continue;
      }
      await runStage(variantContext, stage, () => runners[stage](variantContext));
      stages.push(stage);
      rerunRest = true;
      if (context.signal.aborted) throw new AbortedError(`stopped in variant ${variant.name}; run the same command again to continue`);
    }
  } finally {
    await local.models.stopServedAs(servedName);
    opened.close();
  }
  return { paths: variantContext.paths, stages };
}
