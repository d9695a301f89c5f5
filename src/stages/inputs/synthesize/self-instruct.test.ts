import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../curate/chat.js';
import { selfInstruct } from './self-instruct.js';

const SEEDS = ['Correct the grammar: he go to school yesterday.', 'Correct the grammar: she have two cat.', 'Correct the grammar: they was happy.'];

/** A fake teacher: numbered lists, with some repeats of seeds and of earlier answers mixed in. */
function fakeTeacher() {
  const prompts: string[] = [];
  let call = 0;
  const chat = async (messages: ChatMessage[]) => {
    prompts.push(messages[0]?.content ?? '');
    call++;
    const fresh = (kind: string) => Array.from({ length: 8 }, (_, index) => `${kind}${call}w${index}`).join(' ');
    const items = [
      `Correct the grammar: ${fresh('a')}.`,
      'Correct the grammar: she have two cat.',
      `correct the grammar: ${fresh('a')} !`,
      `Fix this: ${fresh('b')}.`,
      'ok',
    ];
    return { content: items.map((item, index) => `${index + 1}. ${item}`).join('\n') };
  };
  return { chat, prompts };
}

describe('selfInstruct', () => {
  it('grows the pool to n with exact and near duplicates rejected', async () => {
    const { chat, prompts } = fakeTeacher();
    const result = await selfInstruct(SEEDS, chat, { n: 7, seed: 1, examples_per_prompt: 3, count_per_round: 4 });
    expect(result.inputs).toHaveLength(7);
    expect(result.rounds).toBe(4);
    expect(result.rejected).toMatchObject({ exact: 3, too_short: 3 });
    expect(result.rejected.near).toBeGreaterThanOrEqual(3);
    expect(result.inputs[0]).toEqual({ id: 'self-instruct-0', input: 'Correct the grammar: a1w0 a1w1 a1w2 a1w3 a1w4 a1w5 a1w6 a1w7.', fields: { source: 'self_instruct', round: 1 } });
    expect(prompts[0]).toContain('Write 4 new inputs');
    // Later prompts show generated examples alongside seeds.
    expect(prompts[3]).toMatch(/[ab][123]w0/);
  });

  it('is deterministic given the same answers and seed', async () => {
    const first = await selfInstruct(SEEDS, fakeTeacher().chat, { n: 5, seed: 3 });
    const second = await selfInstruct(SEEDS, fakeTeacher().chat, { n: 5, seed: 3 });
    expect(first).toEqual(second);
  });

  it('gives up after max_rounds when the teacher only repeats itself', async () => {
    const chat = async () => ({ content: '1. Correct the grammar: they was happy.' });
    const result = await selfInstruct(SEEDS, chat, { n: 5, max_rounds: 3 });
    expect(result).toMatchObject({ inputs: [], rounds: 3, rejected: { exact: 3 } });
  });
});
