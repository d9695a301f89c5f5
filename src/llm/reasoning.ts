export interface SplitAnswer {
  output: string;
  reasoning: string | null;
}

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Separates a reasoning model's thoughts from its answer: a `reasoning_content` field, a `<think>…</think>`
 * block, a block whose opening tag the chat template already emitted (only `</think>` in the content), or an
 * unclosed `<think>` (generation cut off mid-thought: the answer is empty).
 */
export function splitReasoning(content: string, reasoningContent: string | null | undefined, assistantPrefix = ''): SplitAnswer {
  const thoughts: string[] = [];
  if (reasoningContent && reasoningContent.trim() !== '') thoughts.push(reasoningContent.trim());
  // A prefix that opened a think block (e.g. "<think>\n\n</think>\n\n") is part of the text the model continued.
  let text = assistantPrefix.includes(OPEN) && !assistantPrefix.includes(CLOSE) ? assistantPrefix + content : content;
  const closeIndex = text.indexOf(CLOSE);
  const openIndex = text.indexOf(OPEN);
  if (closeIndex >= 0 && (openIndex < 0 || openIndex > closeIndex)) {
    thoughts.push(text.slice(0, closeIndex).trim());
    text = text.slice(closeIndex + CLOSE.length);
  }
  for (;;) {
    const start = text.indexOf(OPEN);
    if (start < 0) break;
    const end = text.indexOf(CLOSE, start + OPEN.length);
    if (end < 0) {
      thoughts.push(text.slice(start + OPEN.length).trim());
      text = text.slice(0, start);
      break;
    }
    thoughts.push(text.slice(start + OPEN.length, end).trim());
    text = text.slice(0, start) + text.slice(end + CLOSE.length);
  }
  const reasoning = thoughts.filter((thought) => thought !== '').join('\n\n');
  return { output: text.trim(), reasoning: reasoning === '' ? null : reasoning };
}

/**
 * The inverse of splitReasoning for one trace: the answer preceded by its reasoning in a `<think>` block, laid out
 * as Qwen3-style templates render it, for targets whose template (or trainer) takes no separate reasoning field.
 */
export function inlineReasoning(reasoning: string, answer: string): string {
  return `${OPEN}\n${reasoning.replace(/^\n+|\n+$/g, '')}\n${CLOSE}\n\n${answer.replace(/^\n+/, '')}`;
}
