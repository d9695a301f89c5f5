import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { CONVERTER_TYPES, GGUF_TYPES, QUANTIZER_TYPES, isGgufType } from '../engines/llamacpp-quantize.js';
import { EXPORT_FORMATS, runExport, type ExportFormat } from '../export/run-export.js';
import { DEFAULT_CALIBRATION_SAMPLES, DEFAULT_GROUP_SIZE, type GroupSize } from '../export/quantized-export.js';
import { checkHubTarget, publishExport, type HubTarget } from '../export/push-to-hub.js';
import { exportConfigPath } from '../export/export-sources.js';

interface ExportFlags {
  format: string;
  runDir: string;
  out: string;
  config?: string;
  quant?: string;
  ggufType?: string;
  loraOnly?: boolean;
  limit?: string;
  groupSize: string;
  calibrationSamples: string;
  pushToHub?: string;
  private?: boolean;
  revision?: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export the trained student (merged safetensors, GGUF for llama.cpp, an Ollama model, 4-bit GPTQ/AWQ for vLLM) and verify it by answering the evaluation items with its real engine; writes DIR/export.json')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .requiredOption('--run-dir <dir>', 'run directory (trained and evaluated)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--config <file>', 'the task config (default: the one named in run.json)')
    .option('--quant <type>', `GGUF type (gguf, ollama): ${CONVERTER_TYPES.join(', ')} from llama.cpp's converter; ${QUANTIZER_TYPES.join(', ')} from its quantizer (default f16)`)
    .option('--gguf-type <type>', 'the same as --quant')
    .option('--lora-only', 'gguf, ollama: the base model and the LoRA adapter as two GGUF files (llama.cpp --lora, Ollama ADAPTER)')
    .option('--group-size <n|channel>', 'gptq/awq: weight columns per 4-bit scale (must divide every layer\'s width), or channel', String(DEFAULT_GROUP_SIZE))
    .option('--calibration-samples <n>', 'gptq/awq: training rows (split/train.jsonl, in the chat template) to calibrate on', String(DEFAULT_CALIBRATION_SAMPLES))
    .option('--limit <n>', 'verify on the first N evaluation items only')
    .option('--push-to-hub <repo>', 'then upload the export folder (with export.json and a model card) to this Hugging Face Hub model repo; needs HF_TOKEN')
    .option('--private', 'with --push-to-hub: create the repo private')
    .option('--revision <branch>', 'with --push-to-hub: the branch to commit to (created from main when missing)')
    .action(async (flags: ExportFlags) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) throw new ConfigError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not '${flags.format}'`, '(command line)', 'format');
      if (flags.quant !== undefined && flags.ggufType !== undefined && flags.quant !== flags.ggufType) throw new ConfigError(`--quant ${flags.quant} and --gguf-type ${flags.ggufType} disagree; give one`, '(command line)', 'quant');
      const gguf = flags.format === 'gguf' || flags.format === 'ollama';
      if (!gguf && (flags.quant !== undefined || flags.ggufType !== undefined || flags.loraOnly)) throw new ConfigError(`--quant and --lora-only apply to --format gguf or ollama, not ${flags.format}`, '(command line)', 'quant');
      const quant = (flags.quant ?? flags.ggufType ?? 'f16').toLowerCase();
      if (!isGgufType(quant)) throw new ConfigError(`--quant must be one of ${GGUF_TYPES.join(', ')}, not '${quant}' (importance-matrix types such as iq4_xs need a calibration run Distillery does not make)`, '(command line)', 'quant');
      const limit = flags.limit === undefined ? undefined : positiveInteger(flags.limit, 'limit');
      const groupSize: GroupSize = flags.groupSize === 'channel' ? 'channel' : positiveInteger(flags.groupSize, 'group-size');
      const calibrationSamples = positiveInteger(flags.calibrationSamples, 'calibration-samples');
      const hub: HubTarget | undefined = flags.pushToHub === undefined ? undefined : { repo: flags.pushToHub, private: flags.private === true, revision: flags.revision };
      if (hub === undefined && (flags.private || flags.revision !== undefined)) throw new ConfigError('--private and --revision go with --push-to-hub', '(command line)', 'push-to-hub');
      if (hub !== undefined) checkHubTarget(hub);
      const record = await runExport({ runDir: flags.runDir, out: flags.out, format: flags.format as ExportFormat, configPath: flags.config, ggufType: quant, loraOnly: flags.loraOnly, limit, groupSize, calibrationSamples });
      process.stdout.write(`${flags.format} export in ${flags.out}: ${record.engine} answers ${(record.agreement * 100).toFixed(1)}% of ${record.items} evaluation items as the trained student did (${record.metric.name}: student ${record.metric.student ?? 'n/a'}, export ${record.metric.export ?? 'n/a'})\n`);
      if (record.gguf_tensor_types !== null) for (const [file, types] of Object.entries(record.gguf_tensor_types)) process.stdout.write(`  ${file}: ${Object.entries(types).map(([type, count]) => `${count} ${type}`).join(', ')}\n`);
      for (const [engine, command] of Object.entries(record.commands)) process.stdout.write(`  ${engine}: ${command}\n`);
      if (hub !== undefined) {
        const pushed = await publishExport({ folder: flags.out, runDir: flags.runDir, configPath: exportConfigPath(flags.runDir, flags.config), target: hub, commitMessage: `Distillery ${flags.format} export: ${(record.agreement * 100).toFixed(1)}% agreement with the trained student on ${record.items} evaluation items` });
        process.stdout.write(`pushed to ${pushed.repo_url} (${pushed.revision}): ${pushed.commit_url}\n`);
      }
    });
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!(Number.isInteger(value) && value > 0)) throw new ConfigError(`--${flag} must be a positive integer${flag === 'group-size' ? ' or channel' : ''}, not '${text}'`, '(command line)', flag);
  return value;
}
