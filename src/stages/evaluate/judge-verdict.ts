/**
 * Reading a judge's reply (reasoning already removed). The last non-empty line decides, stripped of markdown
 * (`**Verdict:** VALID`, `**Verdict: VALID**`, `### Answer: A`) and punctuation, optionally after "verdict:" /
 * "answer:"; when that line is not a verdict, the last line *labelled* verdict/answer/decision decides (a judge
 * that explains after concluding). Anything else is unparsable, never guessed.
 */
const LABEL = /^(?:final\s+)?(?:verdict|answer|decision)\s*[:=-]\s*/i;

function plain(line: string): string {
  return line.replace(/[*_`#>]/g, '').trim();
}

function word(line: string): string {
  return plain(line).replace(LABEL, '').replace(/["'.!\s[\]()]/g, '').toUpperCase();
}

/** The verdict word of the reply, read by `read` (undefined for a word it does not know). */
function verdictWord<T>(reply: string, read: (word: string) => T | undefined): T | undefined {
  const lines = reply.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  const fromLast = read(word(last));
  if (fromLast !== undefined) return fromLast;
  const labelled = lines.filter((line) => LABEL.test(plain(line))).at(-1);
  return labelled === undefined ? undefined : read(word(labelled));
}

const VALIDITY: Record<string, 'valid' | 'invalid'> = { VALID: 'valid', INVALID: 'invalid' };
const PAIRWISE: Record<string, 'first' | 'second' | 'tie'> = { A: 'first', ANSWERA: 'first', B: 'second', ANSWERB: 'second', TIE: 'tie' };

export function parseValidityVerdict(reply: string): 'valid' | 'invalid' | 'unparsable' {
  return verdictWord(reply, (text) => VALIDITY[text]) ?? 'unparsable';
}

/** `first`/`second` name the position in the prompt (A is first), not the model. */
export function parsePairwiseVerdict(reply: string): 'first' | 'second' | 'tie' | 'unparsable' {
  return verdictWord(reply, (text) => PAIRWISE[text]) ?? 'unparsable';
}
