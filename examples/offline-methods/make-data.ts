/**
 * Writes the methods example's data (run once; the outputs are committed):
 *   npx tsx examples/offline-methods/make-data.ts
 * Date normalization: a sentence holding a date written one of several ways ("the fifth of march 2021",
 * "5 mar 2021", "march 5th, 2021", "05.03.2021", "2021 march 5") becomes its ISO form `2021-03-05`. The
 * answer is several tokens, and the gold answers carry a short reasoning trace the teacher learns to write
 * first (`<think>month 03 day 05</think>2021-03-05`), so keeping or dropping the trace is a real choice.
 * Seeded; no sentence is in two sets (teacher gold, unlabelled inputs, held-out test).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../src/stages/split/seeded-random.js';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const ORDINAL_WORDS = [
  'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth',
  'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth', 'twentieth',
  'twenty first', 'twenty second', 'twenty third', 'twenty fourth', 'twenty fifth', 'twenty sixth', 'twenty seventh', 'twenty eighth',
];
const SENTENCES = ['the meeting is on {date}', 'remind me on {date}', 'she was born {date}', 'the invoice is due {date}', 'we moved house {date}', 'flight leaves {date}', '{date}', 'deadline: {date}'];

const pad = (value: number) => String(value).padStart(2, '0');
const suffix = (day: number) => (day % 10 === 1 && day !== 11 ? 'st' : day % 10 === 2 && day !== 12 ? 'nd' : day % 10 === 3 && day !== 13 ? 'rd' : 'th');

/** The ways a date is written; each takes day (1–28), month (1–12) and year. */
const FORMATS: ((day: number, month: number, year: number) => string)[] = [
  (day, month, year) => `${MONTHS[month - 1]} ${day}${suffix(day)}, ${year}`,
  (day, month, year) => `${day} ${MONTHS[month - 1]!.slice(0, 3)} ${year}`,
  (day, month, year) => `the ${ORDINAL_WORDS[day - 1]} of ${MONTHS[month - 1]} ${year}`,
  (day, month, year) => `${pad(day)}.${pad(month)}.${year}`,
  (day, month, year) => `${year} ${MONTHS[month - 1]} ${day}`,
];

export const SYSTEM_PROMPT = 'Write the date in the text as YYYY-MM-DD.';
const next = mulberry32(20261129);
const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
const seen = new Set<string>();

function draw(count: number): { input: string; answer: string; trace: string; format: number }[] {
  const rows: { input: string; answer: string; trace: string; format: number }[] = [];
  while (rows.length < count) {
    const day = 1 + Math.floor(next() * 28);
    const month = 1 + Math.floor(next() * 12);
    const year = 2020 + Math.floor(next() * 10);
    const format = Math.floor(next() * FORMATS.length);
    const input = pick(SENTENCES).replace('{date}', FORMATS[format]!(day, month, year));
    if (seen.has(input)) continue;
    seen.add(input);
    rows.push({ input, answer: `${year}-${pad(month)}-${pad(day)}`, trace: `month ${pad(month)} day ${pad(day)}`, format });
  }
  return rows;
}

const dir = join(import.meta.dirname, 'data');
mkdirSync(dir, { recursive: true });
const jsonl = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).join('\n') + '\n';

const gold = draw(Number(process.env.GOLD ?? 600));
const inputs = draw(1000);
const test = draw(300);
const target = (row: { answer: string; trace: string }) => `<think>${row.trace}</think>${row.answer}`;
// The teacher's training set, in chat form: the trace, then the answer.
writeFileSync(join(dir, 'teacher-gold.jsonl'), jsonl(gold.map((row) => ({ messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: row.input }, { role: 'assistant', content: target(row) }] }))));
// Unlabelled: the student learns only from the teacher's answers.
writeFileSync(join(dir, 'inputs.jsonl'), jsonl(inputs.map((row, index) => ({ id: `d${index}`, input: row.input, format: row.format }))));
writeFileSync(join(dir, 'test.jsonl'), jsonl(test.map((row, index) => ({ id: `t${index}`, text: row.input, answer: row.answer, format: String(row.format) }))));
// The tokenizer's text: every sentence, every gold target, the prompt.
writeFileSync(join(dir, 'corpus.txt'), [...gold, ...inputs, ...test].map((row) => `${row.input}\n${target(row)}`).join('\n') + `\n${SYSTEM_PROMPT}\n`);
console.log(`gold ${gold.length}, inputs ${inputs.length}, test ${test.length} written to ${dir}`);
