import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { DistilleryError } from '../errors.js';
import { runPython } from '../engines/python-process.js';
import { workerDirectory } from '../local-worker/worker-location.js';
import type { ExportSources } from './export-sources.js';

/** The chat template's text around system, user and assistant turns (worker: export_template.py, which checks the template is regular enough for them). */
export const templatePiecesSchema = z.object({
  head: z.string(),
  middle: z.string(),
  head_without_system: z.string(),
  after_user: z.string(),
  after_assistant: z.string(),
  /** Between a past assistant turn's content and the next user turn's content. */
  between_turns: z.string(),
  eos_token: z.string(),
  /** The student's assistant prefix as the template writes it. */
  assistant_prefix: z.string(),
});
export type TemplatePieces = z.infer<typeof templatePiecesSchema>;

export class ModelfileError extends DistilleryError {}

/** Text as a Go template literal: `{{` would start an action, so it is written as an action printing it. */
function literal(text: string): string {
  return text.replaceAll('{{', '{{ "{{" }}');
}

/**
 * An Ollama TEMPLATE (Go text/template) over a whole conversation: the system prompt (`.System`, which Ollama
 * fills from the request's system messages or the Modelfile's SYSTEM), then each user and assistant turn of
 * `.Messages`, and after the last user turn the generation prompt and the assistant prefix the student's
 * answers start with. No `{{-` trimming: it would eat the template's own newlines.
 */
export function ollamaTemplate(pieces: TemplatePieces): string {
  return [
    `{{ if .System }}${literal(pieces.head)}{{ .System }}${literal(pieces.middle)}{{ else }}${literal(pieces.head_without_system)}{{ end }}`,
    '{{ range $index, $message := .Messages }}{{ $last := eq (len (slice $.Messages $index)) 1 }}',
    `{{ if eq .Role "user" }}{{ .Content }}${literal(pieces.after_user)}{{ if $last }}${literal(pieces.assistant_prefix)}{{ end }}`,
    `{{ else if eq .Role "assistant" }}{{ .Content }}{{ if not $last }}${literal(pieces.between_turns)}{{ end }}{{ end }}{{ end }}`,
  ].join('');
}

/** The stop strings: the end-of-sequence token, and the end-of-turn marker the template closes answers with. */
export function stopTokens(pieces: TemplatePieces): string[] {
  const turnEnd = pieces.after_assistant.trim();
  return [...new Set([pieces.eos_token, ...(turnEnd === '' ? [] : [turnEnd])])];
}

function quoted(text: string, what: string): string {
  if (text.includes('"""')) throw new ModelfileError(`the ${what} contains """, which a Modelfile cannot quote`);
  return `"""${text}"""`;
}

/** The Modelfile text: FROM the GGUF, the TEMPLATE, SYSTEM, stop parameters and greedy decoding. */
export function modelfileText(options: { gguf: string; adapter?: string; pieces: TemplatePieces; system: string | undefined }): string {
  const stops = stopTokens(options.pieces);
  if (stops.length === 0 || stops.some((stop) => stop === '')) throw new ModelfileError('no stop token: the exported model would never stop');
  const lines = [`FROM ./${basename(options.gguf)}`, ...(options.adapter ? [`ADAPTER ./${basename(options.adapter)}`] : []), `TEMPLATE ${quoted(ollamaTemplate(options.pieces), 'chat template')}`];
  if (options.system) lines.push(`SYSTEM ${quoted(options.system, 'system prompt')}`);
  for (const stop of stops) lines.push(`PARAMETER stop ${JSON.stringify(stop)}`);
  lines.push('PARAMETER temperature 0');
  return `${lines.join('\n')}\n`;
}

/** Reads the merged model's chat template pieces with the worker and writes `DIR/Modelfile`. */
export async function writeOllamaModelfile(options: { workerPython: string; modelDir: string; gguf: string; adapter?: string; out: string; sources: ExportSources; environment?: NodeJS.ProcessEnv }): Promise<string> {
  const prefix = options.sources.student.prompt.assistantPrefix ?? '';
  const output = await runPython(options.workerPython, ['-m', 'distillery_worker.export_template', options.modelDir, '--assistant-prefix', prefix], { what: 'reading the chat template', environment: { ...(options.environment ?? process.env), PYTHONPATH: workerDirectory() } });
  const pieces = templatePiecesSchema.parse(JSON.parse(output));
  const file = join(options.out, 'Modelfile');
  writeFileSync(file, modelfileText({ gguf: options.gguf, adapter: options.adapter, pieces, system: options.sources.student.prompt.system }));
  return file;
}
