import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/helpers/temp-dir.js';
import { lossCurvesOf, readEarlierStages } from './earlier-stages.js';

describe('earlier stages in the report', () => {
  const directory = useTempDir();

  it('reads loss arrays, or per-epoch / per-step lists', () => {
    expect(lossCurvesOf({ train_loss: [2, 1], valid_loss: [3] })).toEqual({ unit: 'epoch', train: [2, 1], valid: [3] });
    expect(lossCurvesOf({ steps: [{ step: 1, train_loss: 2 }, { step: 2, train_loss: 1, valid_loss: 1.5 }] })).toEqual({ unit: 'step', train: [2, 1], valid: [1.5] });
    expect(lossCurvesOf({ something: 'else' })).toBeUndefined();
  });

  it('tolerates missing and malformed files', () => {
    const funnel = directory.write('curate/funnel.json', '{ not json');
    expect(readEarlierStages({ funnel, trainMetrics: `${directory.path()}/absent.json` })).toEqual({ funnel: undefined, losses: undefined });
  });
});
