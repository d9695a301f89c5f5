/** The rubric used when the config names no `prompt:` file; `{input}` and `{output}` are filled per record. */
export const DEFAULT_JUDGE_RUBRIC = `You are grading a training example for a small model. Judge whether the response is a correct, complete and well-formed answer to the input, exactly as a careful expert would write it.

Input:
<<<
{input}
>>>

Response:
<<<
{output}
>>>

Score from 1 to 5:
5 = correct, complete, follows every instruction in the input
4 = correct with a negligible flaw
3 = partly correct or missing something asked for
2 = mostly wrong, off-topic or badly formatted
1 = wrong, a refusal, or nonsense

Answer with JSON only: {"score": <1-5>, "rationale": "<one sentence>"}`;

/** Fills `{input}` and `{output}` in one pass, so braces inside the texts themselves are left alone. */
export function fillRubric(template: string, input: string, output: string): string {
  return template.replace(/\{(input|output)\}/g, (_, name: string) => (name === 'input' ? input : output));
}
