import { describe, expect, it } from 'vitest';
import { countWords } from './text.js';

describe('countWords', () => {
  it('counts tokens separated by any JavaScript whitespace, as trim().split(/\\s+/) does', () => {
    const samples = ['', '   ', 'one', ' one  two\tthree\nfour ', 'a\u00a0b\u2003c\u3000d\ufeffe', 'x\r\ny\u2028z', 'ünïcödé wörds 単語 テスト'];
    for (let code = 0; code < 0x10000; code += 1) {
      const character = String.fromCharCode(code);
      if (/\s/u.test(character)) samples.push(`a${character}b`);
    }
    for (const sample of samples) {
      const trimmed = sample.trim();
      expect(countWords(sample), JSON.stringify(sample)).toBe(trimmed === '' ? 0 : trimmed.split(/\s+/u).length);
    }
  });
});
