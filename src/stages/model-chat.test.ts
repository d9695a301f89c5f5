import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type AnswerObject, type ChatRequest, type FakeProvider } from '../../test/fake-provider/index.js';
import { HttpClient } from '../llm/http-client.js';
import { ModelClient } from '../llm/model-client.js';
import type { ChatFunction } from './curate/chat.js';
import { judgeFilter } from './curate/judge/judge.js';
import { makeRecord } from './curate/test-records.js';
import { evolInstruct } from './inputs/synthesize/evol-instruct.js';
import { selfInstruct } from './inputs/synthesize/self-instruct.js';
import { modelChat } from './model-chat.js';

/**
 * Reasoning models think before answering; what they think must never be read as the answer. Each reader of
 * model answers (curation judge, Self-Instruct, Evol-Instruct) gets its replies through modelChat, here from
 * the fake provider over HTTP, with thoughts that would change the result if they were parsed.
 */
const providers: FakeProvider[] = [];
afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.close();
});

async function chatAnswering(answer: (prompt: string) => AnswerObject | string): Promise<{ chat: ChatFunction; paid: number[] }> {
  const provider = await startFakeProvider({ answer: (request: ChatRequest) => answer(String(request.messages.at(-1)?.content ?? '')) });
  providers.push(provider);
  const client = new ModelClient({ http: new HttpClient({ baseURL: provider.url }), concurrency: 4, retry: { maxAttempts: 1 } });
  const paid: number[] = [];
  const chat = modelChat({ client: async () => client, parameters: { model: 'thinker', max_tokens: 512 }, signal: new AbortController().signal, onPaid: (usage) => paid.push(usage.completion_tokens) });
  return { chat, paid };
}

describe('modelChat', () => {
  it('gives the answer without its <think> block or reasoning_content, the reasoning beside it', async () => {
    const { chat, paid } = await chatAnswering((prompt) => (prompt === 'field' ? { content: 'Four.', reasoning_content: 'Two and two.' } : '<think>Two and two.</think>\n\nFour.'));
    expect(await chat([{ role: 'user', content: 'inline' }])).toEqual({ content: 'Four.', reasoning: 'Two and two.' });
    expect(await chat([{ role: 'user', content: 'field' }])).toEqual({ content: 'Four.', reasoning: 'Two and two.' });
    expect(paid).toHaveLength(2);
  });

  it('the curation judge scores the answer, not a score the judge considered while thinking', async () => {
    const { chat } = await chatAnswering(() => '<think>A strict grader would say {"score": 1}. Score: 1? No, it is right.</think>\nScore: 5');
    const filter = await judgeFilter.create(judgeFilter.options.parse({ endpoint: 'e', model: 'thinker' }), { configDirectory: '.', chatFor: () => chat });
    const result = await filter.apply([makeRecord('1', 'in', 'out')], {});
    expect(result.dropped).toEqual([]);
    expect(result.kept.map((record) => record.id)).toEqual(['1']);
  });

  it('Self-Instruct takes no list item from the thoughts', async () => {
    const { chat } = await chatAnswering(() => '<think>Ideas:\n1. Thought item one about nothing\n2. Thought item two about nothing</think>\n1. Summarize this contract clause for a tenant\n2. Translate the safety notice into plain English');
    const result = await selfInstruct(['Fix the grammar of this sentence', 'Write a short product description'], chat, { n: 2, seed: 1, max_rounds: 1 });
    expect(result.inputs.map((input) => input.input)).toEqual(['Summarize this contract clause for a tenant', 'Translate the safety notice into plain English']);
  });

  it('Evol-Instruct evolves into the answer, not the thoughts before it', async () => {
    const { chat } = await chatAnswering((prompt) => ({ content: `Explain photosynthesis to a ten-year-old using one kitchen analogy and no jargon`, reasoning_content: `Make "${prompt.slice(-30)}" harder.` }));
    const inline = await chatAnswering(() => '<think>Make it harder somehow, maybe add constraints.</think>Explain photosynthesis to a ten-year-old using one kitchen analogy and no jargon');
    for (const { chat: teacher } of [{ chat }, inline]) {
      const result = await evolInstruct(['Explain photosynthesis'], teacher, { generations: 1, seed: 2 });
      expect(result.inputs.map((input) => input.input)).toEqual(['Explain photosynthesis to a ten-year-old using one kitchen analogy and no jargon']);
    }
  });
});
