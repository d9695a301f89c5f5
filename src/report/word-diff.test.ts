import { describe, expect, it } from 'vitest';
import { wordDiff } from './word-diff.js';

describe('wordDiff', () => {
  it('marks a replaced word as a removal then an addition, keeping the rest', () => {
    expect(wordDiff('He go to school .', 'He goes to school .')).toEqual([
      { kind: 'same', text: 'He' },
      { kind: 'removed', text: 'go' },
      { kind: 'added', text: 'goes' },
      { kind: 'same', text: 'to school .' },
    ]);
  });

  it('merges runs and handles pure insertions and deletions', () => {
    expect(wordDiff('a b', 'a x y b')).toEqual([{ kind: 'same', text: 'a' }, { kind: 'added', text: 'x y' }, { kind: 'same', text: 'b' }]);
    expect(wordDiff('a b c', '')).toEqual([{ kind: 'removed', text: 'a b c' }]);
  });
});
