import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { useTempDir } from '../../test/helpers/temp-dir.js';
import { loadTask, resolvePrompt } from './load.js';
import { taskJsonSchema } from './json-schema.js';

const temp = useTempDir();

const VALID = `name: grammar-checker
endpoints:
  nebius: { base_url: "https://api.example.com/v1", api_key_env: NEBIUS_API_KEY }
inputs: { path: data/inputs.jsonl, field: input, words: { min: 4, max: 39 } }
teacher:
  endpoint: nebius
  model: Qwen/Qwen3-235B-A22B
  system: prompts/proofreader.txt
  mode: batch
  max_tokens: 4096
`;

describe('loadTask', () => {
  it('loads YAML, applies defaults and resolves a prompt file relative to the config', () => {
    const file = temp.write('task.yaml', VALID);
    temp.write('prompts/proofreader.txt', 'Correct the grammar.\n');
    const task = loadTask(file);
    expect(task.config.teacher?.mode).toBe('batch');
    expect(task.config.teacher?.concurrency).toBe(32);
    expect(task.config.inputs.on_error).toBe('stop');
    expect(resolvePrompt(task, task.config.teacher?.system, 'teacher.system')).toBe('Correct the grammar.');
  });

  it('loads the same config written as JSON', () => {
    const file = temp.write('task.json', JSON.stringify({ name: 'x', endpoints: { p: { base_url: 'http://127.0.0.1:1/v1' } }, inputs: { path: 'a.jsonl' }, teacher: { endpoint: 'p', model: 'm' } }));
    expect(loadTask(file).config.teacher?.model).toBe('m');
  });

  it('names the unknown key, the file and the line', () => {
    const file = temp.write('task.yaml', VALID.replace('max_tokens: 4096', 'max_tokens: 4096\n  temprature: 0.6'));
    expect(() => loadTask(file)).toThrow(ConfigError);
    try {
      loadTask(file);
    } catch (error) {
      expect((error as Error).message).toContain(`${file}:11: teacher: unknown key 'temprature'`);
    }
  });

  it('names the key and line of a value of the wrong type', () => {
    const file = temp.write('task.yaml', VALID.replace('max_tokens: 4096', 'max_tokens: lots'));
    expect(() => loadTask(file)).toThrow(/task\.yaml:10: teacher\.max_tokens: /);
  });

  it('refuses an assistant prefix with split.include_reasoning, naming both keys', () => {
    const student = `split: { include_reasoning: true }\nstudent: { base: tiny, assistant_prefix: "<think>\\n\\n</think>\\n\\n" }\n`;
    const file = temp.write('task.yaml', VALID + student);
    expect(() => loadTask(file)).toThrow(ConfigError);
    expect(() => loadTask(file)).toThrow(/student\.assistant_prefix: "<think>\\n\\n<\/think>\\n\\n" conflicts with split\.include_reasoning: true/);
    expect(loadTask(temp.write('task.yaml', VALID + student.replace('include_reasoning: true', 'include_reasoning: false'))).config.split.include_reasoning).toBe(false);
    expect(loadTask(temp.write('task.yaml', VALID + 'split: { include_reasoning: true }\nstudent: { base: tiny }\n')).config.split.include_reasoning).toBe(true);
    expect(loadTask(temp.write('task.yaml', VALID)).config.split.include_reasoning).toBe(false);
  });

  it('rejects a reference to an endpoint that is not defined', () => {
    const file = temp.write('task.yaml', VALID.replace('endpoint: nebius', 'endpoint: openai'));
    expect(() => loadTask(file)).toThrow(/teacher\.endpoint: unknown endpoint 'openai'/);
  });

  it('refuses a teacher assistant prefix on an endpoint whose flavor cannot continue one, and takes it where it can', () => {
    temp.write('prompts/proofreader.txt', 'Correct the grammar.\n');
    const withPrefix = VALID.replace('max_tokens: 4096', 'max_tokens: 4096\n  assistant_prefix: "<think>\\n\\n</think>\\n\\n"');
    const file = temp.write('task.yaml', withPrefix);
    expect(() => loadTask(file)).toThrow(/teacher\.assistant_prefix: endpoint 'nebius' has flavor openai/);
    const nebius = temp.write('nebius.yaml', withPrefix.replace('api_key_env: NEBIUS_API_KEY }', 'api_key_env: NEBIUS_API_KEY, flavor: nebius }'));
    expect(loadTask(nebius).config.teacher?.assistant_prefix).toBe('<think>\n\n</think>\n\n');
  });

  it('reports YAML syntax errors with the file', () => {
    const file = temp.write('task.yaml', 'name: [unclosed\n');
    expect(() => loadTask(file)).toThrow(/task\.yaml: YAML syntax/);
  });

  it('needs a teacher section unless the inputs bring their answers', () => {
    const base = { name: 'x', endpoints: { p: { base_url: 'http://127.0.0.1:1/v1' } } };
    const missing = temp.write('no-teacher.json', JSON.stringify({ ...base, inputs: { path: 'a.jsonl' } }));
    expect(() => loadTask(missing)).toThrow(/teacher: required \(the model that answers the inputs\), unless the inputs bring their answers: inputs\.output_field, or inputs\.format: chat/);
    const imported = temp.write('imported.json', JSON.stringify({ ...base, inputs: { path: 'a.jsonl', output_field: 'answer' } }));
    expect(loadTask(imported).config.teacher).toBeUndefined();
    const chat = temp.write('chat.json', JSON.stringify({ ...base, inputs: { path: 'a.jsonl', format: 'chat' } }));
    expect(loadTask(chat).config.inputs.format).toBe('chat');
  });

  it('fails on a prompt file that does not exist instead of sending its name as the prompt', () => {
    const file = temp.write('task.yaml', VALID);
    const task = loadTask(file);
    expect(() => resolvePrompt(task, task.config.teacher?.system, 'teacher.system')).toThrow(/teacher\.system: prompt file not found/);
  });

  it('treats a multi-word string as a literal prompt', () => {
    const file = temp.write('task.yaml', VALID);
    const task = loadTask(file);
    expect(resolvePrompt(task, 'Please correct the grammar.', 'student.system')).toBe('Please correct the grammar.');
  });
});

describe('taskJsonSchema', () => {
  it('describes every top-level section and the teacher fields', () => {
    const schema = taskJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'endpoints', 'inputs', 'teacher', 'curate', 'split', 'student', 'evaluate']));
    expect(Object.keys(schema.properties.teacher!.properties!)).toEqual(expect.arrayContaining(['mode', 'max_cost', 'on_truncated', 'poll_interval']));
    // teacher is optional in the schema: the loader requires it unless the inputs bring their answers.
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'inputs']));
    expect(schema.required).not.toContain('teacher');
  });
});
