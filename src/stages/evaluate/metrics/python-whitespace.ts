import type { PythonVersion } from './python-random.js';

// Python 2 splits byte strings on ASCII whitespace only; Python 3's str.split() also splits on
// Unicode spaces and the \x1c-\x1f separators, so the two can count different tokens.
const PYTHON2_WHITESPACE = /[ \t\n\r\v\f]+/;
const PYTHON3_WHITESPACE = /[ \t\n\r\v\f\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

const PYTHON3_TRAILING_WHITESPACE = new RegExp(`${PYTHON3_WHITESPACE.source}$`);

/** Python 3's `text.rstrip()`: its whitespace, not JavaScript's (which adds U+FEFF and lacks \x1c-\x1f). */
export function rstripLikePython(text: string): string {
  return text.replace(PYTHON3_TRAILING_WHITESPACE, '');
}

/** `line.split()` with no argument: runs of whitespace separate tokens, ends are ignored. */
export function splitLikePython(text: string, version: PythonVersion = 3): string[] {
  return text.split(version === 2 ? PYTHON2_WHITESPACE : PYTHON3_WHITESPACE).filter((token) => token !== '');
}
