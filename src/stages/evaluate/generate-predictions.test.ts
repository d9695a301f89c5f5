import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../../../test/fake-provider/index.js';
import { HttpClient } from '../../llm/http-client.js';
import { ModelClient } from '../../llm/model-client.js';
import type { ComparedModel } from './compared-model.js';
import type { EvaluationItem } from './evaluation-item.js';
import { generatePredictions } from './generate-predictions.js';

const items: EvaluationItem[] = ['one', 'two', 'three'].map((word) => ({ id: word, input: `say ${word}`, references: [], label: undefined, original: { input: word, references: [] }, strata: {} }));
const model = (stream: boolean): ComparedModel => ({
  name: 'student', endpoint: 'fake', model: 'tiny', prompt: { assistantPrefix: '<think>\n' }, maxTokens: 50, temperature: 0, topP: undefined, seed: undefined, extraBody: {}, stream,
});

describe('generatePredictions', () => {
  let provider: FakeProvider | undefined;
  afterEach(async () => provider?.close());

  it('keeps item order, splits reasoning continued from the prefix, and turns a request that fails for good into an error row', async () => {
    provider = await startFakeProvider({
      answer: (request) => `thinking about it\n</think>\n${String(request.messages.filter((message) => message.role === 'user').at(-1)?.content).toUpperCase()}`,
      faults: [{ match: { inputContains: 'say two' }, kind: '500' }],
    });
    const client = new ModelClient({ http: new HttpClient({ baseURL: provider.url }), concurrency: 2, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const seen: string[] = [];
    const rows = await generatePredictions(model(true), items, client, { workers: 2, signal: new AbortController().signal, onDone: (row) => seen.push(row.id) });
    expect(rows.map((row) => row.id)).toEqual(['one', 'two', 'three']);
    expect(rows[0]).toMatchObject({ output: 'SAY ONE', reasoning: 'thinking about it', cached: false, error: null });
    expect(rows[0]!.time_to_first_token_ms).not.toBeNull();
    expect(rows[1]).toMatchObject({ output: '', latency_ms: null, error: expect.stringContaining('500') });
    expect(seen.sort()).toEqual(['one', 'three', 'two']);
  });
});
