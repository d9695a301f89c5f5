/**
 * Reading a judge's reply (reasoning already removed). The last non-empty line decides, stripped of markdown
 * and punctuation, optionally after "verdict:" / "answer:"; anything else is unparsable, never guessed.
 */
function lastLineWord(reply: string): string | undefined {
  const lines = reply.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const last = lines[lines.length - 1];
  if (last === undefined) return undefined;
  return last
    .replace(/^(?:final\s+)?(?:verdict|answer|decision)\s*[:=-]\s*/i, '')
    .replace(/[*_`"'.!\s[\]()]/g, '')
    .toUpperCase();
}

export function parseValidityVerdict(reply: string): 'valid' | 'invalid' | 'unparsable' {
  const word = lastLineWord(reply);
  if (word === 'VALID') return 'valid';
  if (word === 'INVALID') return 'invalid';
  return 'unparsable';
}

/** `first`/`second` name the position in the prompt (A is first), not the model. */
export function parsePairwiseVerdict(reply: string): 'first' | 'second' | 'tie' | 'unparsable' {
  const word = lastLineWord(reply);
  if (word === 'A' || word === 'ANSWERA') return 'first';
  if (word === 'B' || word === 'ANSWERB') return 'second';
  if (word === 'TIE') return 'tie';
  return 'unparsable';
}
