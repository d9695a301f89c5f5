import { describe, expect, it } from 'vitest';
import { classificationReport } from './classification.js';
import { MetricInputError } from './metric-input-error.js';

describe('classificationReport', () => {
  // Worked by hand; scikit-learn's precision_recall_fscore_support(gold, predicted, labels=['bird','cat','dog'])
  // defines the same figures (a prediction outside `labels` is a miss for its gold label and no label's positive).
  const gold = ['cat', 'cat', 'cat', 'dog', 'dog', 'bird'];
  const predicted = ['cat', 'cat', 'dog', 'dog', 'fish', 'bird'];

  it('reports accuracy, per-label figures, macro-F1 and the confusion matrix, counting unknown predictions', () => {
    const report = classificationReport(predicted, gold);
    expect(report.labels).toEqual(['bird', 'cat', 'dog']);
    expect(report.accuracy).toBeCloseTo(4 / 6, 15);
    expect(report.confusionMatrix).toEqual([
      [1, 0, 0, 0],
      [0, 2, 1, 0],
      [0, 0, 1, 1],
    ]);
    expect(report.unknownPredictions).toBe(1);
    expect(report.perLabel.bird).toEqual({ precision: 1, recall: 1, f1: 1, support: 1 });
    expect(report.perLabel.cat!.precision).toBe(1);
    expect(report.perLabel.cat!.recall).toBeCloseTo(2 / 3, 15);
    expect(report.perLabel.cat!.f1).toBeCloseTo(0.8, 15);
    expect(report.perLabel.dog).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(report.macroF1).toBeCloseTo(2.3 / 3, 15);
  });

  it('uses a given label set, scoring unused labels 0', () => {
    const report = classificationReport(['yes', 'no'], ['yes', 'yes'], { labels: ['yes', 'no', 'maybe'] });
    expect(report.labels).toEqual(['yes', 'no', 'maybe']);
    expect(report.perLabel.maybe).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(report.perLabel.no).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(report.macroF1).toBeCloseTo(2 / 3 / 3, 15);
  });

  it('rejects misaligned input and gold labels outside the given set', () => {
    expect(() => classificationReport(['a'], ['a', 'b'])).toThrow(MetricInputError);
    expect(() => classificationReport(['a'], ['z'], { labels: ['a'] })).toThrow(/"z"/);
  });
});
