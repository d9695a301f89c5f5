import { describe, expect, it } from 'vitest';
import { sacrebleuFixture } from './sacrebleu-fixture.test-helper.js';
import { tokenize13a } from './tokenizer-13a.js';

describe('tokenize13a against sacrebleu Tokenizer13a', () => {
  it.each(sacrebleuFixture.tokenizer13a)('$input', ({ input, output }) => expect(tokenize13a(input)).toBe(output));
});
