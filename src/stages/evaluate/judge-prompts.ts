import { resolvePrompt, type LoadedTask } from '../../config/load.js';
import { fillTemplate } from '../../data/text.js';
import { ConfigError, errorMessage } from '../../errors.js';
import type { JudgeConfig } from './evaluate-config.js';

/** The reference-guided validity prompt; `judge.prompt` replaces it (same slots). */
export const DEFAULT_VALIDITY_PROMPT = `You check one answer to a task against reference answers written by experts.

Task input:
{input}

Reference answers (any of them is correct; others may be correct too):
{references}

Answer to check:
{prediction}

Is the answer to check an acceptable answer, as good as the references: it keeps the input's meaning, fixes what the references fix, and adds no new errors? Small differences of wording that the references show to be optional are acceptable.
Reply with one word on the last line: VALID or INVALID.`;

/** The pairwise prompt; `judge.pairwise_prompt` replaces it (same slots). */
export const DEFAULT_PAIRWISE_PROMPT = `Two answers to the same task follow. Decide which one is better.

Task input:
{input}

Reference answers:
{references}

Answer A:
{first}

Answer B:
{second}

Judge correctness first, then faithfulness to the input. Ignore which answer comes first.
Reply with one word on the last line: A, B or TIE.`;

export function formatReferences(references: readonly string[]): string {
  return references.length === 0 ? '(none)' : references.map((reference, index) => `${index + 1}. ${reference}`).join('\n');
}

export function validityPrompt(template: string, input: string, references: readonly string[], prediction: string): string {
  return fillTemplate(template, { input, references: formatReferences(references), prediction });
}

export function pairwisePrompt(template: string, input: string, references: readonly string[], first: string, second: string): string {
  return fillTemplate(template, { input, references: formatReferences(references), first, second });
}

/** The judge's two prompts, from `judge.prompt` / `judge.pairwise_prompt` or the defaults, checked for unknown slots before any call. */
export function judgeTemplates(task: Pick<LoadedTask, 'dir' | 'file'>, judge: JudgeConfig): { validity: string; pairwise: string } {
  const load = (prompt: JudgeConfig['prompt'], key: string, fallback: string, check: (template: string) => string): string => {
    const template = resolvePrompt(task, prompt, key) ?? fallback;
    try {
      check(template);
    } catch (error) {
      throw new ConfigError(`${task.file}: ${key}: ${errorMessage(error)} (slots: {input}, {references}, and {prediction} or {first}, {second})`, task.file, key);
    }
    return template;
  };
  return {
    validity: load(judge.prompt, 'evaluate.judge.prompt', DEFAULT_VALIDITY_PROMPT, (template) => validityPrompt(template, '', [], '')),
    pairwise: load(judge.pairwise_prompt, 'evaluate.judge.pairwise_prompt', DEFAULT_PAIRWISE_PROMPT, (template) => pairwisePrompt(template, '', [], '', '')),
  };
}
