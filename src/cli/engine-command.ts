import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { ensureLlamacppPython } from '../engines/llamacpp-environment.js';
import { ensureLlmcompressorPython } from '../engines/llmcompressor-environment.js';
import { ensureVllmPython } from '../engines/vllm-environment.js';

const ENGINES = { vllm: ensureVllmPython, llamacpp: ensureLlamacppPython, llmcompressor: ensureLlmcompressorPython } as const;

export function registerEngine(program: Command): void {
  const engine = program.command('engine').description('the engines\' own Python environments (vLLM, llama.cpp, llmcompressor)');
  engine
    .command('python <name>')
    .description('print the interpreter of an engine\'s environment (vllm: ~6.3 GB; llamacpp: ~11 min of compiling; llmcompressor: 4-bit export), creating it first if needed')
    .action(async (name: string) => {
      const ensure = ENGINES[name as keyof typeof ENGINES];
      if (ensure === undefined) throw new ConfigError(`unknown engine '${name}': one of ${Object.keys(ENGINES).join(', ')}`, '(command line)', 'engine');
      const python = await ensure({ log: (line) => process.stderr.write(`${line}\n`) });
      process.stdout.write(`${python}\n`);
    });
}
