import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askMissing } from './ask-answers.js';

/** A terminal stand-in: each time a question is printed, the next typed line is sent. */
function terminal(lines: string[]): { input: PassThrough; output: Writable; asked: string[] } {
  const input = new PassThrough();
  const asked: string[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      asked.push(chunk.toString());
      const next = lines.shift();
      if (next !== undefined) setImmediate(() => input.write(`${next}\n`));
      callback();
    },
  });
  return { input, output, asked };
}

describe('askMissing', () => {
  it('asks only what no flag answered, follows the answers (labels for classification) and takes defaults on Enter', async () => {
    const { input, output, asked } = terminal(['classification', 'pos, neg', 'data/in.jsonl', '', '', '', 'gpt-teacher', 'small-student', '', '']);
    const answers = await askMissing({ name: 'given-name' }, input, output);
    expect(answers).toMatchObject({ name: 'given-name', kind: 'classification', labels: 'pos, neg', inputs: 'data/in.jsonl', field: 'input', provider: 'openai', teacher_model: 'gpt-teacher', student_base: 'small-student', trainer: 'hosted' });
    expect(answers.output_field).toBeUndefined();
    expect(asked.some((question) => question.startsWith('Task name'))).toBe(false);
    expect(asked.some((question) => question.startsWith('Base URL'))).toBe(false);
    expect(asked[0]).toBe('Task kind (classification / extraction / rewriting / free-form) [free-form]: ');
  });
});
