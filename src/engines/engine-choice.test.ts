import { describe, expect, it } from 'vitest';
import { chooseEngine } from './engine-choice.js';

describe('engine choice', () => {
  it('auto: vLLM where its environment exists or a GPU is present, transformers otherwise, saying how to switch', () => {
    expect(chooseEngine('auto', { vllmInstalled: true, gpu: false }).engine).toBe('vllm');
    expect(chooseEngine('auto', { vllmInstalled: false, gpu: true }).engine).toBe('vllm');
    const fallback = chooseEngine('auto', { vllmInstalled: false, gpu: false });
    expect(fallback.engine).toBe('transformers');
    expect(fallback.reason).toMatch(/set engine: vllm to install vLLM/);
  });

  it('an explicit setting wins over the machine', () => {
    expect(chooseEngine('transformers', { vllmInstalled: true, gpu: true }).engine).toBe('transformers');
    expect(chooseEngine('vllm', { vllmInstalled: false, gpu: false }).engine).toBe('vllm');
  });
});
