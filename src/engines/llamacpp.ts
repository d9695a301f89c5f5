import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ChatMessage } from '../llm/protocol.js';
import { engineFiles } from './engine-files.js';
import { llamaCppSources } from './llamacpp-environment.js';
import { runPython } from './python-process.js';

/** GGUF tensor types the converter writes directly (K-quants such as Q4_K_M need llama-quantize, not offered). */
export const GGUF_TYPES = ['f16', 'bf16', 'q8_0', 'f32'] as const;
export type GgufType = (typeof GGUF_TYPES)[number];

/** llama.cpp's convert_hf_to_gguf.py on a merged model folder (see engines/llamacpp/convert.py). */
export async function convertToGguf(python: string, modelDir: string, outFile: string, type: GgufType, log?: (line: string) => void): Promise<void> {
  const sources = llamaCppSources(python);
  await runPython(python, [join(engineFiles('llamacpp'), 'convert.py'), sources, modelDir, '--outfile', outFile, '--outtype', type], { what: 'convert_hf_to_gguf', log });
}

export interface ChatRequest {
  id: string;
  messages: ChatMessage[];
  max_tokens: number;
  continue_final_message?: boolean;
}

const answerSchema = z.object({ id: z.string(), output: z.string() });

/** Greedy answers from llama.cpp, with the chat template and end-of-turn token stored in the GGUF. */
export async function answerWithLlamaCpp(python: string, gguf: string, requests: readonly ChatRequest[], workDir: string): Promise<Map<string, string>> {
  const requestsFile = join(workDir, 'llamacpp-requests.jsonl');
  const answersFile = join(workDir, 'llamacpp-answers.jsonl');
  writeFileSync(requestsFile, requests.map((request) => JSON.stringify(request)).join('\n') + '\n');
  await runPython(python, [join(engineFiles('llamacpp'), 'answer.py'), gguf, requestsFile, answersFile], { what: 'llama.cpp answering' });
  const answers = new Map<string, string>();
  for (const line of readFileSync(answersFile, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const answer = answerSchema.parse(JSON.parse(line));
    answers.set(answer.id, answer.output);
  }
  return answers;
}
