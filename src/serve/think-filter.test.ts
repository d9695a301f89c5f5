import { describe, expect, it } from 'vitest';
import { ThinkFilter } from './think-filter.js';

function run(filter: ThinkFilter, pieces: string[]): string {
  return pieces.map((piece) => filter.push(piece)).join('') + filter.flush();
}

describe('ThinkFilter', () => {
  it('drops a leading think block split across pieces, and the whitespace after it', () => {
    expect(run(new ThinkFilter(), ['<th', 'ink>', 'let me see', '</thi', 'nk>', '\n\n', 'The', ' answer'])).toBe('The answer');
  });

  it('passes text that is no think block unchanged, even when it starts like one', () => {
    expect(run(new ThinkFilter(), ['<t', 'able>'])).toBe('<table>');
    expect(run(new ThinkFilter(), ['  Hello', ' <think>x</think>'])).toBe('  Hello <think>x</think>');
    expect(run(new ThinkFilter(), ['<th'])).toBe('<th');
  });

  it('treats everything up to </think> as thought when the prefix opened the block', () => {
    expect(run(new ThinkFilter(true), ['hmm', '</think>', 'Yes.'])).toBe('Yes.');
    expect(run(new ThinkFilter(true), ['cut off mid-thought'])).toBe('');
  });
});
