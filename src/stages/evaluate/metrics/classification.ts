/**
 * Classification metrics for label outputs: accuracy, per-label precision/recall/F1, macro-F1 and the
 * confusion matrix. A prediction outside the label set (a model answering off-list) is counted, as an
 * error against its gold label and in its own "unknown" column, never silently dropped.
 */
import { MetricInputError } from './metric-input-error.js';

export interface LabelScores {
  precision: number;
  recall: number;
  f1: number;
  /** Gold items with this label. */
  support: number;
}

export interface ClassificationReport {
  metric: 'classification';
  accuracy: number;
  /** Unweighted mean of per-label F1 over the label set. */
  macroF1: number;
  labels: string[];
  perLabel: Record<string, LabelScores>;
  /** Rows: gold label; columns: predicted label in `labels` order, then one column of unknown predictions. */
  confusionMatrix: number[][];
  unknownPredictions: number;
  total: number;
}

export interface ClassificationOptions {
  /** The label set; default: the gold labels, sorted. Gold labels outside a given set are an error. */
  labels?: readonly string[];
}

export function classificationReport(
  predictions: readonly string[],
  gold: readonly string[],
  options: ClassificationOptions = {},
): ClassificationReport {
  if (predictions.length !== gold.length) {
    throw new MetricInputError(`classification inputs differ in length: ${predictions.length} predictions, ${gold.length} gold labels`);
  }
  const labels = options.labels ? [...options.labels] : [...new Set(gold)].sort();
  const indexOf = new Map(labels.map((label, index) => [label, index]));
  if (indexOf.size !== labels.length) throw new MetricInputError('classification labels must be distinct');
  const unknownColumn = labels.length;
  const confusionMatrix = labels.map(() => new Array<number>(labels.length + 1).fill(0));
  let correct = 0;
  gold.forEach((goldLabel, item) => {
    const row = indexOf.get(goldLabel);
    if (row === undefined) throw new MetricInputError(`gold label ${JSON.stringify(goldLabel)} (item ${item}) is not in the label set`);
    const column = indexOf.get(predictions[item]!) ?? unknownColumn;
    confusionMatrix[row]![column]! += 1;
    if (column === row) correct++;
  });

  const perLabel: Record<string, LabelScores> = {};
  labels.forEach((label, index) => {
    const truePositives = confusionMatrix[index]![index]!;
    const predicted = confusionMatrix.reduce((total, row) => total + row[index]!, 0);
    const support = confusionMatrix[index]!.reduce((total, count) => total + count, 0);
    // An undefined ratio (nothing predicted, or no support) scores 0, as scikit-learn's zero_division default.
    const precision = predicted === 0 ? 0 : truePositives / predicted;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perLabel[label] = { precision, recall, f1, support };
  });
  const macroF1 = labels.length === 0 ? 0 : labels.reduce((total, label) => total + perLabel[label]!.f1, 0) / labels.length;
  return {
    metric: 'classification',
    accuracy: gold.length === 0 ? 0 : correct / gold.length,
    macroF1,
    labels,
    perLabel,
    confusionMatrix,
    unknownPredictions: confusionMatrix.reduce((total, row) => total + row[unknownColumn]!, 0),
    total: gold.length,
  };
}
