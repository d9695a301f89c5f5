import { describe, expect, it } from 'vitest';
import type { VllmServer, VllmServerOptions } from '../engines/vllm.js';
import { HttpClient } from '../llm/http-client.js';
import { LocalModels } from './local-models.js';

/** Records what LocalModels asks of vLLM servers; test/engines/vllm-one-server.test.ts runs the real ones. */
function recordingStarts() {
  const starts: VllmServerOptions[] = [];
  const servers: { names: string[]; adapters: string[]; lora: boolean }[] = [];
  const startVllm = async (options: VllmServerOptions): Promise<VllmServer> => {
    starts.push(options);
    const record = { names: [options.servedName ?? options.model], adapters: [] as string[], lora: options.enableLora === true };
    servers.push(record);
    return {
      http: new HttpClient({ baseURL: `http://127.0.0.1:${9000 + starts.length}/v1` }),
      url: '',
      apiKey: 'test-key',
      models: record.names,
      lora: record.lora,
      logTail: () => '',
      addName: (name) => void (record.names.includes(name) || record.names.push(name)),
      loadAdapter: async (name) => {
        if (!record.lora) throw new Error('started without LoRA');
        record.adapters.push(name);
      },
      stop: async () => undefined,
    };
  };
  const models = new LocalModels({ python: async () => 'python', workerDir: '.', engine: 'vllm', startVllm });
  return { starts, servers, models };
}

describe('LocalModels on vLLM: one server per base model', () => {
  it('the student adapter, the untuned base and the base under a second name share one server, whatever comes first', async () => {
    const { starts, servers, models } = recordingStarts();
    models.expectAdapters('/models/base');
    const [base, student, again] = await Promise.all([
      models.serve('/models/base', 'base'),
      models.serve('/models/base', '/models/base', { name: 'distillery-student', dir: '/runs/r/train/adapter' }),
      models.serve('/models/base', 'untuned'),
    ]);
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({ model: '/models/base', enableLora: true });
    expect(student).toBe(base);
    expect(again).toBe(base);
    expect(servers[0]).toMatchObject({ names: ['base', 'untuned'], adapters: ['distillery-student'] });
    await models.serve('/models/teacher', 'teacher');
    expect(starts.map((start) => start.model)).toEqual(['/models/base', '/models/teacher']);
    expect(starts[1]!.enableLora).toBe(false);
  });

  it('an adapter first starts its base with LoRA, and the base joins it', async () => {
    const { starts, models } = recordingStarts();
    await models.serve('/models/base', '/models/base', { name: 'a', dir: '/a' });
    await models.serve('/models/base', 'base');
    expect(starts).toHaveLength(1);
  });

  it('a base first served without LoRA, not announced, gets a second server with LoRA for the adapter', async () => {
    const { starts, models } = recordingStarts();
    await models.serve('/models/base', 'base');
    await models.serve('/models/base', '/models/base', { name: 'a', dir: '/a' });
    await models.serve('/models/base', '/models/base', { name: 'b', dir: '/b' });
    expect(starts.map((start) => start.enableLora)).toEqual([false, true]);
  });
});
