import { resolvePath, type LoadedTask } from '../../config/load.js';
import { loadDataset } from '../../data/datasets/load-dataset.js';
import type { EvaluationDataConfig } from './evaluate-config.js';
import type { EvaluationItem } from './evaluation-item.js';
import { evaluationItems, readEvaluationData } from './read-evaluation-data.js';

/** The evaluation items of `evaluate.data`: a file beside the config, or a standard set by name. */
export async function readEvaluationSet(
  task: Pick<LoadedTask, 'dir'>,
  data: EvaluationDataConfig,
  options: { environment?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<EvaluationItem[]> {
  if (data.dataset !== undefined && data.split !== undefined) {
    const rows = await loadDataset({ dataset: data.dataset, split: data.split }, options);
    // A named set's columns are its own: the item id, the input and every reference.
    const columns = { ...data, id_field: 'id', input: 'input', references: 'references' };
    return evaluationItems(rows.map((value, index) => ({ line: index + 1, value: { ...value } })), columns, `${data.dataset} ${data.split}`);
  }
  return readEvaluationData(resolvePath(task, data.path ?? ''), data);
}
