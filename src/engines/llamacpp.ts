import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ChatMessage } from '../llm/protocol.js';
import { engineFiles } from './engine-files.js';
import { llamaCppSources } from './llamacpp-environment.js';
import type { ConverterType } from './llamacpp-quantize.js';
import { runPython } from './python-process.js';

/** llama.cpp's convert_hf_to_gguf.py on a merged model folder (see engines/llamacpp/convert.py). */
export async function convertToGguf(python: string, modelDir: string, outFile: string, type: ConverterType, log?: (line: string) => void): Promise<void> {
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

/** Greedy answers from llama.cpp, with the chat template and end-of-turn token stored in the GGUF (and a LoRA adapter GGUF applied on load). */
export async function answerWithLlamaCpp(python: string, gguf: string, requests: readonly ChatRequest[], workDir: string, lora?: string): Promise<Map<string, string>> {
  const requestsFile = join(workDir, 'llamacpp-requests.jsonl');
  const answersFile = join(workDir, 'llamacpp-answers.jsonl');
  writeFileSync(requestsFile, requests.map((request) => JSON.stringify(request)).join('\n') + '\n');
  await runPython(python, [join(engineFiles('llamacpp'), 'answer.py'), gguf, requestsFile, answersFile, ...(lora === undefined ? [] : [lora])], { what: 'llama.cpp answering' });
  const answers = new Map<string, string>();
  for (const line of readFileSync(answersFile, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const answer = answerSchema.parse(JSON.parse(line));
    answers.set(answer.id, answer.output);
  }
  return answers;
}
