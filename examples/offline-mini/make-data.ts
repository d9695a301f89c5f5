/**
 * Writes the offline example's data (run once; the outputs are committed):
 *   npx tsx examples/offline-mini/make-data.ts
 * A 4-label retrieval-routing task: send a user query to the product docs, a web search, the SQL
 * warehouse, or plain chat. Queries come from templates with slot values, seeded, with no query in two
 * sets: the teacher's gold-labelled training set, the unlabelled inputs the teacher answers for the
 * student, and the held-out test set neither model sees in training.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32, shuffled } from '../../src/stages/split/seeded-random.js';

type Label = 'docs' | 'web' | 'sql' | 'chat';

const SLOTS: Record<string, string[]> = {
  product: ['the dashboard', 'the mobile app', 'the api', 'the cli', 'the billing portal', 'the sdk', 'the admin console', 'the scheduler'],
  feature: ['single sign on', 'webhooks', 'rate limits', 'export to csv', 'two factor login', 'audit logs', 'custom roles', 'dark mode', 'api keys', 'backups'],
  verb: ['enable', 'configure', 'turn off', 'reset', 'set up', 'change', 'rotate', 'delete'],
  topic: ['the election', 'the stock market', 'the weather in paris', 'the world cup', 'interest rates', 'the new phone launch', 'the storm', 'oil prices', 'the film festival', 'the space launch'],
  source: ['online', 'in the news', 'on the web', 'right now', 'this morning', 'from today'],
  entity: ['customers', 'orders', 'invoices', 'users', 'refunds', 'trials', 'tickets', 'subscriptions'],
  period: ['last week', 'in march', 'this quarter', 'yesterday', 'last month', 'in 2023', 'since monday', 'this year'],
  dimension: ['region', 'plan', 'country', 'channel', 'product line', 'sales rep'],
  greeting: ['hi there', 'hello', 'good morning', 'hey', 'thanks a lot', 'cheers', 'good evening', 'yo'],
  feeling: ['great', 'tired', 'happy', 'bored', 'curious', 'fine', 'sleepy', 'excited'],
  name: ['friend', 'buddy', 'robot', 'assistant', 'pal', 'mate'],
};

const TEMPLATES: [Label, string][] = [
  ['docs', 'how do i {verb} {feature} in {product}'],
  ['docs', 'where can i find the guide to {verb} {feature}'],
  ['docs', 'what does the {feature} setting do in {product}'],
  ['docs', 'is there documentation on {feature} for {product}'],
  ['web', 'what is the latest news about {topic} {source}'],
  ['web', 'search for {topic} {source}'],
  ['web', 'any updates on {topic} {period}'],
  ['web', 'what happened with {topic} {source}'],
  ['web', 'news on {topic} {period}'],
  ['web', 'look up {topic} on the internet {period}'],
  ['sql', 'how many {entity} did we get {period}'],
  ['sql', 'show total {entity} by {dimension} {period}'],
  ['sql', 'count the {entity} per {dimension}'],
  ['sql', 'what is the average number of {entity} {period}'],
  ['chat', '{greeting} {name} how are you'],
  ['chat', '{greeting} i feel {feeling} today'],
  ['chat', 'tell me something nice {name}'],
  ['chat', '{greeting} {name} you are {feeling}'],
];

const next = mulberry32(20261123);

/** Every filling of a template, in slot order. */
function expand(template: string): string[] {
  const match = /\{(\w+)\}/.exec(template);
  if (!match) return [template];
  return SLOTS[match[1]!]!.flatMap((value) => expand(template.replace(match[0], value)));
}

// Each label's queries, shuffled once; the sets below are dealt from them in turn, so no query is in two sets.
const pools = new Map<Label, { input: string; label: Label; template: number }[]>();
TEMPLATES.forEach(([label, template], index) => {
  const pool = pools.get(label) ?? [];
  for (const input of expand(template)) pool.push({ input, label, template: index });
  pools.set(label, pool);
});
for (const [label, pool] of pools) pools.set(label, shuffled(pool, next));

function draw(count: number): { input: string; label: Label; template: number }[] {
  const rows: { input: string; label: Label; template: number }[] = [];
  const labels = [...pools.keys()];
  for (let index = 0; rows.length < count; index++) {
    const pool = pools.get(labels[index % labels.length]!)!;
    const row = pool.pop();
    if (!row) throw new Error(`not enough distinct queries for ${labels[index % labels.length]}`);
    rows.push(row);
  }
  return shuffled(rows, next);
}

export const SYSTEM_PROMPT = 'Route the query to one of: docs, web, sql, chat. Answer with the label only.';
const dir = join(import.meta.dirname, 'data');
mkdirSync(dir, { recursive: true });
const jsonl = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).join('\n') + '\n';

const gold = draw(400);
const inputs = draw(800);
const test = draw(240);
// The teacher's training set, already in chat form (the worker trains on `messages`).
writeFileSync(join(dir, 'teacher-gold.jsonl'), jsonl(gold.map((row) => ({ messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: row.input }, { role: 'assistant', content: row.label }] }))));
// Unlabelled: the labels stay out of the student's data on purpose; it learns only from the teacher.
writeFileSync(join(dir, 'inputs.jsonl'), jsonl(inputs.map((row, index) => ({ id: `q${index}`, input: row.input, template: row.template }))));
writeFileSync(join(dir, 'test.jsonl'), jsonl(test.map((row, index) => ({ id: `t${index}`, query: row.input, label: row.label }))));
// Text the tiny tokenizer is trained on: every query and the labels.
writeFileSync(join(dir, 'corpus.txt'), [...gold, ...inputs, ...test].map((row) => `${row.input}\n${row.label}`).join('\n') + `\n${SYSTEM_PROMPT}\n`);
console.log(`gold ${gold.length}, inputs ${inputs.length}, test ${test.length} written to ${dir}`);
