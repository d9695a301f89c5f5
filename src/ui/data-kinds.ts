import { z } from 'zod';
import { escapeHtml } from '../report/escape-html.js';
import { textCell } from './html-page.js';
import { studentConfigOf } from './run-config.js';
import type { RunFiles } from './run-files.js';

/** One data page: which file, its columns, and how a row becomes cells. */
export interface DataKind {
  name: string;
  title: string;
  path: (files: RunFiles) => string;
  header: string[];
  cells: (row: Record<string, unknown>, files: RunFiles) => string[];
}

const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));
const json = (value: unknown): string => `<td class="text"><code>${escapeHtml(value === undefined ? '' : JSON.stringify(value))}</code></td>`;

function folded(reasoning: unknown): string {
  if (typeof reasoning !== 'string' || reasoning === '') return '<td></td>';
  return `<td class="text"><details><summary>reasoning (${reasoning.length} chars)</summary>${escapeHtml(reasoning)}</details></td>`;
}

const messagesSchema = z.object({ messages: z.array(z.object({ role: z.string(), content: z.string() })) });

/** A split row as the student sees it: system, user, and the assistant turn cut into prefix and answer. */
function splitCells(row: Record<string, unknown>, files: RunFiles): string[] {
  const parsed = messagesSchema.safeParse(row);
  if (!parsed.success) return [json(row), '', '', ''];
  const last = (role: string) => parsed.data.messages.filter((message) => message.role === role).at(-1)?.content ?? '';
  const assistant = last('assistant');
  const prefix = studentConfigOf(files).assistant_prefix ?? '';
  const [shownPrefix, answer] = prefix !== '' && assistant.startsWith(prefix) ? [prefix, assistant.slice(prefix.length)] : ['', assistant];
  return [textCell(last('system')), textCell(last('user')), `<td class="text"><code>${escapeHtml(JSON.stringify(shownPrefix))}</code></td>`, textCell(answer)];
}

export const DATA_KINDS: DataKind[] = [
  { name: 'inputs', title: 'Inputs', path: (files) => files.paths.inputs.inputs, header: ['id', 'input', 'fields'], cells: (row) => [escapeHtml(text(row.id)), textCell(text(row.input)), json(row.fields)] },
  {
    name: 'outputs',
    title: 'Teacher outputs',
    path: (files) => files.paths.generate.outputs,
    header: ['id', 'input', 'output', 'reasoning', 'finish'],
    cells: (row) => [escapeHtml(text(row.id)), textCell(text(row.input)), textCell(text(row.output)), folded(row.reasoning), escapeHtml(`${text(row.finish_reason)}${row.truncated === true ? ' (truncated)' : ''}`)],
  },
  { name: 'kept', title: 'Curated rows', path: (files) => files.paths.curate.kept, header: ['id', 'input', 'output'], cells: (row) => [escapeHtml(text(row.id)), textCell(text(row.input)), textCell(text(row.output))] },
  {
    name: 'dropped',
    title: 'Dropped rows',
    path: (files) => files.paths.curate.dropped,
    header: ['id', 'reason', 'detail', 'input', 'output'],
    cells: (row) => [escapeHtml(text(row.id)), `<td class="reason">${escapeHtml(text(row.reason))}</td>`, json(row.detail), textCell(text(row.input)), textCell(text(row.output))],
  },
  { name: 'train', title: 'Training split', path: (files) => files.paths.split.train, header: ['system', 'user', 'assistant prefix', 'answer'], cells: splitCells },
  { name: 'validation', title: 'Validation split', path: (files) => files.paths.split.validation, header: ['system', 'user', 'assistant prefix', 'answer'], cells: splitCells },
];

export const reasonOf = (row: unknown): string => text((row as { reason?: unknown } | null)?.reason) || '(none)';
