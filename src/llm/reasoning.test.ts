import { describe, expect, it } from 'vitest';
import { inlineReasoning, splitReasoning } from './reasoning.js';

describe('splitReasoning', () => {
  it('removes a <think> block and keeps it apart', () => {
    expect(splitReasoning('<think>\nThe verb is wrong.\n</think>\n\nHe goes home.', null)).toEqual({ output: 'He goes home.', reasoning: 'The verb is wrong.' });
  });

  it('handles a missing opening tag (the chat template emitted it)', () => {
    expect(splitReasoning('Subject-verb agreement.\n</think>\nHe goes home.', null)).toEqual({ output: 'He goes home.', reasoning: 'Subject-verb agreement.' });
  });

  it('takes reasoning_content from the response field', () => {
    expect(splitReasoning('He goes home.', 'Check the verb.')).toEqual({ output: 'He goes home.', reasoning: 'Check the verb.' });
  });

  it('leaves an empty answer when generation stopped inside the thought', () => {
    expect(splitReasoning('<think>Let me consider every possible', null)).toEqual({ output: '', reasoning: 'Let me consider every possible' });
  });

  it('treats an empty think block as no reasoning', () => {
    expect(splitReasoning('<think>\n\n</think>\n\nFine.', null)).toEqual({ output: 'Fine.', reasoning: null });
  });

  it('continues an assistant prefix that opened the think block', () => {
    expect(splitReasoning('plan\n</think>\nAnswer', null, '<think>\n')).toEqual({ output: 'Answer', reasoning: 'plan' });
  });

  it('leaves text without tags untouched', () => {
    expect(splitReasoning('  No change needed.  ', undefined)).toEqual({ output: 'No change needed.', reasoning: null });
  });

  it('inlines a trace the way Qwen3 renders one, and splitReasoning (what evaluation uses) takes it back off', () => {
    const inline = inlineReasoning('\nStep 1.\nStep 2.\n', '\nHe goes home.');
    expect(inline).toBe('<think>\nStep 1.\nStep 2.\n</think>\n\nHe goes home.');
    expect(splitReasoning(inline, null)).toEqual({ output: 'He goes home.', reasoning: 'Step 1.\nStep 2.' });
  });
});
