import { describe, expect, it } from 'vitest';
import { rstripLikePython, splitLikePython } from './python-whitespace.js';
import { splitFileLines } from './text-lines.js';

describe('Python string and file conventions', () => {
  it('splits on whitespace as Python 2 byte strings and Python 3 str do', () => {
    // Python 3: 'a\xa0b\x1cc  d\t'.split() == ['a', 'b', 'c', 'd']; Python 2 bytes keep \xa0 and \x1c inside tokens.
    expect(splitLikePython('a\u00a0b\u001cc  d\t', 3)).toEqual(['a', 'b', 'c', 'd']);
    expect(splitLikePython('a\u00a0b\u001cc  d\t', 2)).toEqual(['a\u00a0b\u001cc', 'd']);
    expect(splitLikePython('   ')).toEqual([]);
  });

  it('strips trailing whitespace as str.rstrip() does', () => {
    expect(rstripLikePython('a b \u3000\u001f\n')).toBe('a b');
    expect(rstripLikePython('a\ufeff')).toBe('a\ufeff');
  });

  it('reads lines as iterating a Python file does', () => {
    expect(splitFileLines('')).toEqual([]);
    expect(splitFileLines('a\nb\n')).toEqual(['a', 'b']);
    expect(splitFileLines('a\r\nb')).toEqual(['a', 'b']);
    expect(splitFileLines('\n\n')).toEqual(['', '']);
  });
});
