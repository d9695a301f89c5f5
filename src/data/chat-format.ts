import type { ChatMessage } from '../llm/protocol.js';
import { fillTemplate } from './text.js';

export interface PromptSpec {
  system?: string;
  userTemplate?: string;
  fewShot?: { input: string; output: string }[];
  /** Text the assistant turn starts with, continued by the model (e.g. an empty `<think></think>` block). */
  assistantPrefix?: string;
  /** Qwen3's soft switch: `/no_think` at the end of the user turn. */
  noThink?: boolean;
}

export interface BuiltPrompt {
  messages: ChatMessage[];
  /** Body fields that make a server continue the final assistant message instead of opening a new turn. */
  extra: Record<string, unknown>;
}

/** The messages for one input: system, few-shot pairs, the user turn, and an optional assistant prefix. */
export function buildPrompt(spec: PromptSpec, input: string, fields: Record<string, unknown> = {}): BuiltPrompt {
  const messages: ChatMessage[] = [];
  if (spec.system) messages.push({ role: 'system', content: spec.system });
  const template = spec.userTemplate ?? '{input}';
  const user = (text: string): string => {
    const filled = template === '{input}' ? text : fillTemplate(template, { ...fields, input: text });
    return spec.noThink ? `${filled} /no_think` : filled;
  };
  for (const example of spec.fewShot ?? []) {
    messages.push({ role: 'user', content: user(example.input) }, { role: 'assistant', content: example.output });
  }
  messages.push({ role: 'user', content: user(input) });
  if (spec.assistantPrefix) {
    messages.push({ role: 'assistant', content: spec.assistantPrefix });
    // vLLM, SGLang and the local worker understand these; OpenAI-hosted models ignore an assistant prefix.
    return { messages, extra: { continue_final_message: true, add_generation_prompt: false } };
  }
  return { messages, extra: {} };
}

/** A training row in chat `messages` form: the assistant turn is the prefix followed by the answer. */
export function trainingMessages(spec: PromptSpec, input: string, output: string, fields: Record<string, unknown> = {}): ChatMessage[] {
  const { messages } = buildPrompt({ ...spec, assistantPrefix: undefined }, input, fields);
  messages.push({ role: 'assistant', content: `${spec.assistantPrefix ?? ''}${output}` });
  return messages;
}
