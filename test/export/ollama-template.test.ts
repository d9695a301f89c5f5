import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/llm/protocol.js';
import { modelfileText, ollamaTemplate, stopTokens, templatePiecesSchema, type TemplatePieces } from '../../src/export/ollama-export.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { workerDirectory } from '../../src/local-worker/worker-location.js';
import { sharedData } from '../helpers/needs.js';
import { useSuiteTempDir } from '../helpers/suite-temp-dir.js';
import { makeTinyModel } from '../engines/tiny-models.js';

/**
 * The Ollama Modelfile's TEMPLATE, rendered by Go's text/template with the data Ollama gives it (`.System`
 * and `.Messages`), must give the same prompt as the Hugging Face chat template for conversations of one to
 * three turns, with and without a system prompt and an assistant prefix: on the tiny models' ChatML and on
 * every real template in ../shared/data/chat-templates, which is either translated exactly or refused by name.
 */
const suiteDir = useSuiteTempDir();
const templates = sharedData('chat-templates');
const TEMPLATES = templates.value ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'chat-templates');
const REAL = existsSync(TEMPLATES) ? readdirSync(TEMPLATES).filter((name) => name.endsWith('.jinja')).sort() : [];
/** Real templates whose turns are regular enough for one Ollama template (checked by rendering, below). */
const TRANSLATED = ['HuggingFaceTB-SmolLM3-3B', 'Mistral-Small-3.2-24B-Instruct-2506', 'Qwen-Qwen2.5-7B-Instruct', 'Qwen-Qwen3-0.6B', 'ibm-granite-granite-3.3-2B-Instruct', 'meta-llama-Llama-3.1-8B-Instruct', 'meta-llama-Llama-3.2-3B-Instruct', 'microsoft-Phi-3.5-mini-instruct'];
/** The others, and why each is refused. */
const REFUSED: Record<string, RegExp> = {
  'Qwen3.5-4B': /renders turns differently depending on where they stand/,
  'deepseek-ai-DeepSeek-R1-Distill-Qwen-32B': /renders turns differently depending on where they stand/,
  'google-gemma-2-2b-it': /cannot render a system \+ user \+ assistant conversation: System role not supported/,
  'mistralai-Mistral-Nemo-Instruct-2407': /renders turns differently depending on where they stand/,
  'openai-gpt-oss-120b': /renders turns differently depending on where they stand/,
};
const PREFIXES = ['', '<think>\n\n</think>\n\n'];
const SYSTEMS = ['Route the query. Answer with the label only.', undefined];
const USERS = ['how do i reset {{ my }} api keys', 'and the\nbilling page?', 'thanks'];
const ANSWERS = ['docs', 'web'];
if (templates.missing) console.warn(`${templates.missing}: only the tiny ChatML template is tested`);

/** System (optional) + 1..3 user turns with the assistant's answers between them. */
const CONVERSATIONS: ChatMessage[][] = SYSTEMS.flatMap((system) =>
  [1, 2, 3].map((turns) => [
    ...(system === undefined ? [] : [{ role: 'system' as const, content: system }]),
    ...USERS.slice(0, turns).flatMap((content, turn) => [{ role: 'user' as const, content }, ...(turn < turns - 1 ? [{ role: 'assistant' as const, content: ANSWERS[turn]! }] : [])]),
  ]),
);

type Rendered = Record<string, { error: string } | { pieces: unknown[]; renders: string[][] }>;
let rendered: Rendered;
let tinyDir: string;

beforeAll(async () => {
  const python = await ensureWorkerPython();
  const root = join(suiteDir(), 'tokenizers');
  tinyDir = await makeTinyModel(python, join(root, 'tiny'), { hidden: 64, heads: 2, layers: 1 });
  const dirs = [tinyDir];
  for (const name of REAL) {
    const dir = join(root, name.replace(/\.jinja$/, ''));
    cpSync(tinyDir, dir, { recursive: true, filter: (source) => !source.endsWith('.safetensors') });
    writeFileSync(join(dir, 'chat_template.jinja'), readFileSync(join(TEMPLATES, name), 'utf8'));
    dirs.push(dir);
  }
  const output = execFileSync(python, [join(import.meta.dirname, 'render_templates.py')], { input: JSON.stringify({ dirs, prefixes: PREFIXES, conversations: CONVERSATIONS }), env: { ...process.env, PYTHONPATH: workerDirectory() }, encoding: 'utf8', maxBuffer: 64 << 20 });
  rendered = JSON.parse(output) as Rendered;
}, 900_000);

/** Go's text/template on every conversation, with the values Ollama passes a `.Messages` template, in one `go run`. */
function goRender(pieces: TemplatePieces): string[] {
  const inputs = CONVERSATIONS.map((messages) => ({
    template: ollamaTemplate(pieces),
    data: { System: messages.filter((message) => message.role === 'system').map((message) => message.content).join('\n\n'), Messages: messages.map((message) => ({ Role: message.role, Content: message.content })), Response: '' },
  }));
  const output = execFileSync('go', ['run', join(import.meta.dirname, 'go-template', 'main.go')], { input: JSON.stringify(inputs), encoding: 'utf8', env: { ...process.env, GO111MODULE: 'off' } });
  return JSON.parse(output) as string[];
}

function result(name: string) {
  const dir = name === 'tiny' ? tinyDir : Object.keys(rendered).find((entry) => entry.endsWith(`/${name}`))!;
  return rendered[dir]!;
}

function expectSameRendering(name: string): TemplatePieces {
  const found = result(name);
  if ('error' in found) throw new Error(found.error);
  const pieces = found.pieces.map((entry) => templatePiecesSchema.parse(entry));
  pieces.forEach((entry, index) => expect(goRender(entry)).toEqual(found.renders[index]));
  return pieces[0]!;
}

describe('the Ollama Modelfile', () => {
  it('renders the tiny student\'s ChatML conversations exactly as the Hugging Face template does, and stops at <|im_end|>', () => {
    const pieces = expectSameRendering('tiny');
    expect(stopTokens(pieces)).toEqual(['<|im_end|>']);
    const modelfile = modelfileText({ gguf: '/x/model-f16.gguf', pieces, system: 'Route the query.' });
    expect(modelfile).toContain('FROM ./model-f16.gguf\n');
    expect(modelfile).toContain('{{ range $index, $message := .Messages }}');
    expect(modelfile).toContain('SYSTEM """Route the query."""\n');
    expect(modelfile).toContain('PARAMETER stop "<|im_end|>"\n');
  }, 300_000);

  it.skipIf(REAL.length === 0)('knows every real template in the shared data: each is either translated or refused', () => {
    expect(REAL.map((name) => name.replace(/\.jinja$/, '')).sort()).toEqual([...TRANSLATED, ...Object.keys(REFUSED)].sort());
  });

  for (const name of TRANSLATED) {
    it.skipIf(REAL.length === 0)(`renders ${name} multi-turn conversations as the Hugging Face template does`, () => {
      const pieces = expectSameRendering(name);
      expect(stopTokens(pieces).length).toBeGreaterThan(0);
    }, 300_000);
  }

  for (const [name, reason] of Object.entries(REFUSED)) {
    it.skipIf(REAL.length === 0)(`refuses ${name}, saying why`, () => {
      const found = result(name);
      expect(found).toHaveProperty('error');
      expect((found as { error: string }).error).toMatch(reason);
    }, 300_000);
  }
});
