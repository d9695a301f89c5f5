import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { GGUF_TYPES, type GgufType } from '../engines/llamacpp.js';
import { EXPORT_FORMATS, runExport, type ExportFormat } from '../export/run-export.js';
import { checkHubTarget, publishExport, type HubTarget } from '../export/push-to-hub.js';
import { exportConfigPath } from '../export/export-sources.js';

interface ExportFlags {
  format: string;
  runDir: string;
  out: string;
  config?: string;
  ggufType: string;
  limit?: string;
  pushToHub?: string;
  private?: boolean;
  revision?: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export the trained student (merged safetensors, GGUF for llama.cpp, an Ollama model) and verify it by answering the evaluation items with its real engine; writes DIR/export.json')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .requiredOption('--run-dir <dir>', 'run directory (trained and evaluated)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--config <file>', 'the task config (default: the one named in run.json)')
    .option('--gguf-type <type>', `GGUF tensor type: ${GGUF_TYPES.join(', ')}`, 'f16')
    .option('--limit <n>', 'verify on the first N evaluation items only')
    .option('--push-to-hub <repo>', 'then upload the export folder (with export.json and a model card) to this Hugging Face Hub model repo; needs HF_TOKEN')
    .option('--private', 'with --push-to-hub: create the repo private')
    .option('--revision <branch>', 'with --push-to-hub: the branch to commit to (created from main when missing)')
    .action(async (flags: ExportFlags) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) throw new ConfigError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not '${flags.format}'`, '(command line)', 'format');
      if (!(GGUF_TYPES as readonly string[]).includes(flags.ggufType)) throw new ConfigError(`--gguf-type must be one of ${GGUF_TYPES.join(', ')}, not '${flags.ggufType}'`, '(command line)', 'gguf-type');
      const limit = flags.limit === undefined ? undefined : Number(flags.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new ConfigError(`--limit must be a positive integer, not '${flags.limit}'`, '(command line)', 'limit');
      const hub: HubTarget | undefined = flags.pushToHub === undefined ? undefined : { repo: flags.pushToHub, private: flags.private === true, revision: flags.revision };
      if (hub === undefined && (flags.private || flags.revision !== undefined)) throw new ConfigError('--private and --revision go with --push-to-hub', '(command line)', 'push-to-hub');
      if (hub !== undefined) checkHubTarget(hub);
      const record = await runExport({ runDir: flags.runDir, out: flags.out, format: flags.format as ExportFormat, configPath: flags.config, ggufType: flags.ggufType as GgufType, limit });
      process.stdout.write(`${flags.format} export in ${flags.out}: ${record.engine} answers ${(record.agreement * 100).toFixed(1)}% of ${record.items} evaluation items as the trained student did (${record.metric.name}: student ${record.metric.student ?? 'n/a'}, export ${record.metric.export ?? 'n/a'})\n`);
      for (const [engine, command] of Object.entries(record.commands)) process.stdout.write(`  ${engine}: ${command}\n`);
      if (hub !== undefined) {
        const pushed = await publishExport({ folder: flags.out, runDir: flags.runDir, configPath: exportConfigPath(flags.runDir, flags.config), target: hub, commitMessage: `Distillery ${flags.format} export: ${(record.agreement * 100).toFixed(1)}% agreement with the trained student on ${record.items} evaluation items` });
        process.stdout.write(`pushed to ${pushed.repo_url} (${pushed.revision}): ${pushed.commit_url}\n`);
      }
    });
}
