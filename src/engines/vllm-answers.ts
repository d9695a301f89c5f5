import { z } from 'zod';
import type { LocalServer } from '../local-worker/local-server.js';
import type { ChatRequest } from './llamacpp.js';

const chatSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1) });

/** Greedy answers from a running vLLM server, `concurrency` requests in flight (vLLM batches them). */
export async function answerWithVllm(server: LocalServer, model: string, requests: readonly ChatRequest[], concurrency = 16): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const request = requests[next++]!;
      const continued = request.continue_final_message === true ? { continue_final_message: true, add_generation_prompt: false } : {};
      const body = { model, messages: request.messages, max_tokens: request.max_tokens, temperature: 0, ...continued };
      const response = await server.http.json('POST', '/chat/completions', chatSchema, body);
      answers.set(request.id, response.data.choices[0]!.message.content ?? '');
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  return answers;
}
