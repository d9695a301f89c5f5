import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPrompt } from '../../src/data/chat-format.js';
import { modelfileText, ollamaTemplate, stopTokens, templatePiecesSchema, type TemplatePieces } from '../../src/export/ollama-export.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { workerDirectory } from '../../src/local-worker/worker-location.js';
import { sharedData } from '../helpers/needs.js';
import { useSuiteTempDir } from '../helpers/suite-temp-dir.js';
import { makeTinyModel } from '../engines/tiny-models.js';

/**
 * The Ollama Modelfile's TEMPLATE, rendered by Go's text/template (what Ollama runs), must give the same
 * prompt as the Hugging Face chat template for system + user + assistant prefix: on the tiny models' ChatML
 * and on real models' templates from ../shared/data/chat-templates.
 */
const suiteDir = useSuiteTempDir();
const templates = sharedData('chat-templates');
const TEMPLATES = templates.value ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'chat-templates');
const REAL = ['Qwen-Qwen2.5-7B-Instruct.jinja', 'meta-llama-Llama-3.1-8B-Instruct.jinja', 'microsoft-Phi-3.5-mini-instruct.jinja', 'HuggingFaceTB-SmolLM3-3B.jinja', 'google-gemma-2-2b-it.jinja'];
const USER = 'how do i reset {{ my }} api keys';
const CASES = [
  { system: 'Route the query. Answer with the label only.', prefix: '' },
  { system: undefined, prefix: '' },
  { system: 'Be brief.', prefix: '<think>\n\n</think>\n\n' },
] as const;
if (templates.missing) console.warn(`${templates.missing}: only the tiny ChatML template is tested`);

type Rendered = Record<string, { error: string } | { pieces: unknown[]; renders: string[] }>;
let rendered: Rendered;
let tinyDir: string;

beforeAll(async () => {
  const python = await ensureWorkerPython();
  const root = join(suiteDir(), 'tokenizers');
  tinyDir = await makeTinyModel(python, join(root, 'tiny'), { hidden: 64, heads: 2, layers: 1 });
  const dirs = [tinyDir];
  for (const name of REAL.filter((file) => existsSync(join(TEMPLATES, file)))) {
    const dir = join(root, name);
    cpSync(tinyDir, dir, { recursive: true, filter: (source) => !source.endsWith('.safetensors') });
    writeFileSync(join(dir, 'chat_template.jinja'), readFileSync(join(TEMPLATES, name), 'utf8'));
    dirs.push(dir);
  }
  const conversations = CASES.map((entry) => ({ prefix: entry.prefix, messages: buildPrompt({ system: entry.system, assistantPrefix: entry.prefix || undefined }, USER).messages }));
  const output = execFileSync(python, [join(import.meta.dirname, 'render_templates.py')], { input: JSON.stringify({ dirs, conversations }), env: { ...process.env, PYTHONPATH: workerDirectory() }, encoding: 'utf8', maxBuffer: 64 << 20 });
  rendered = JSON.parse(output) as Rendered;
}, 900_000);

/** Go's text/template on each case, in one `go run`. */
function goRender(pieces: TemplatePieces[]): string[] {
  const inputs = CASES.map((entry, index) => ({ template: ollamaTemplate(pieces[index]!), data: { System: entry.system ?? '', Prompt: USER, Response: '' } }));
  const output = execFileSync('go', ['run', join(import.meta.dirname, 'go-template', 'main.go')], { input: JSON.stringify(inputs), encoding: 'utf8', env: { ...process.env, GO111MODULE: 'off' } });
  return JSON.parse(output) as string[];
}

function expectSameRendering(dir: string): TemplatePieces {
  const result = rendered[dir]!;
  if ('error' in result) throw new Error(result.error);
  const pieces = result.pieces.map((entry) => templatePiecesSchema.parse(entry));
  expect(goRender(pieces)).toEqual(result.renders);
  return pieces[0]!;
}

describe('the Ollama Modelfile', () => {
  it('renders the tiny student\'s ChatML prompt exactly as the Hugging Face template does, and stops at <|im_end|>', () => {
    const pieces = expectSameRendering(tinyDir);
    expect(stopTokens(pieces)).toEqual(['<|im_end|>']);
    const modelfile = modelfileText({ gguf: '/x/model-f16.gguf', pieces, system: 'Route the query.' });
    expect(modelfile).toContain('FROM ./model-f16.gguf\n');
    expect(modelfile).toContain('SYSTEM """Route the query."""\n');
    expect(modelfile).toContain('PARAMETER stop "<|im_end|>"\n');
  }, 300_000);

  for (const name of REAL.slice(0, -1)) {
    it.skipIf(!existsSync(join(TEMPLATES, name)))(`renders ${name} as the Hugging Face template does`, () => {
      const pieces = expectSameRendering(Object.keys(rendered).find((dir) => dir.endsWith(name))!);
      expect(stopTokens(pieces).length).toBeGreaterThan(0);
    }, 300_000);
  }

  it.skipIf(!existsSync(join(TEMPLATES, 'google-gemma-2-2b-it.jinja')))('refuses a template that cannot take a system prompt (Gemma 2 raises on the system role)', () => {
    const result = rendered[Object.keys(rendered).find((dir) => dir.endsWith('gemma-2-2b-it.jinja'))!]!;
    expect(result).toHaveProperty('error');
  }, 300_000);
});
