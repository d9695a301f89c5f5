import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { GGUF_TYPES, type GgufType } from '../engines/llamacpp.js';
import { EXPORT_FORMATS, runExport, type ExportFormat } from '../export/run-export.js';
import { DEFAULT_CALIBRATION_SAMPLES, DEFAULT_GROUP_SIZE, type GroupSize } from '../export/quantized-export.js';

interface ExportFlags {
  format: string;
  runDir: string;
  out: string;
  config?: string;
  ggufType: string;
  limit?: string;
  groupSize: string;
  calibrationSamples: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export the trained student (merged safetensors, GGUF for llama.cpp, an Ollama model, 4-bit GPTQ/AWQ for vLLM) and verify it by answering the evaluation items with its real engine; writes DIR/export.json')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .requiredOption('--run-dir <dir>', 'run directory (trained and evaluated)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--config <file>', 'the task config (default: the one named in run.json)')
    .option('--gguf-type <type>', `GGUF tensor type: ${GGUF_TYPES.join(', ')}`, 'f16')
    .option('--group-size <n|channel>', 'gptq/awq: weight columns per 4-bit scale (must divide every layer\'s width), or channel', String(DEFAULT_GROUP_SIZE))
    .option('--calibration-samples <n>', 'gptq/awq: training rows (split/train.jsonl, in the chat template) to calibrate on', String(DEFAULT_CALIBRATION_SAMPLES))
    .option('--limit <n>', 'verify on the first N evaluation items only')
    .action(async (flags: ExportFlags) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) throw new ConfigError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not '${flags.format}'`, '(command line)', 'format');
      if (!(GGUF_TYPES as readonly string[]).includes(flags.ggufType)) throw new ConfigError(`--gguf-type must be one of ${GGUF_TYPES.join(', ')}, not '${flags.ggufType}'`, '(command line)', 'gguf-type');
      const limit = flags.limit === undefined ? undefined : Number(flags.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new ConfigError(`--limit must be a positive integer, not '${flags.limit}'`, '(command line)', 'limit');
      const groupSize: GroupSize = flags.groupSize === 'channel' ? 'channel' : positiveInteger(flags.groupSize, 'group-size');
      const calibrationSamples = positiveInteger(flags.calibrationSamples, 'calibration-samples');
      const record = await runExport({ runDir: flags.runDir, out: flags.out, format: flags.format as ExportFormat, configPath: flags.config, ggufType: flags.ggufType as GgufType, limit, groupSize, calibrationSamples });
      process.stdout.write(`${flags.format} export in ${flags.out}: ${record.engine} answers ${(record.agreement * 100).toFixed(1)}% of ${record.items} evaluation items as the trained student did (${record.metric.name}: student ${record.metric.student ?? 'n/a'}, export ${record.metric.export ?? 'n/a'})\n`);
      for (const [engine, command] of Object.entries(record.commands)) process.stdout.write(`  ${engine}: ${command}\n`);
    });
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!(Number.isInteger(value) && value > 0)) throw new ConfigError(`--${flag} must be a positive integer${flag === 'group-size' ? ' or channel' : ''}, not '${text}'`, '(command line)', flag);
  return value;
}
