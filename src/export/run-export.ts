import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { DistilleryError } from '../errors.js';
import { answerWithLlamaCpp } from '../engines/llamacpp.js';
import { isQuantized, type GgufTensorTypes, type GgufType } from '../engines/llamacpp-quantize.js';
import { ensureLlamacppPython } from '../engines/llamacpp-environment.js';
import { answerWithVllm } from '../engines/vllm-answers.js';
import { ensureVllmPython, hasCudaGpu } from '../engines/vllm-environment.js';
import { startVllmServer } from '../engines/vllm.js';
import { lastJsonLine, runPython } from '../engines/python-process.js';
import { ensureWorkerPython } from '../local-worker/worker-environment.js';
import { workerDirectory } from '../local-worker/worker-location.js';
import { exportAgreement, type AgreementFigures } from './export-agreement.js';
import { writeGguf, writeLoraGguf } from './gguf-export.js';
import { readExportSources, studentRequests } from './export-sources.js';
import { writeOllamaModelfile } from './ollama-export.js';
import { isQuantizedFormat, prepareQuantizedExport, type GroupSize, type QuantizationRecord } from './quantized-export.js';

export const EXPORT_FORMATS = ['merged', 'gguf', 'ollama', 'gptq', 'awq'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class ExportError extends DistilleryError {}

export interface ExportOptions {
  runDir: string;
  out: string;
  format: ExportFormat;
  configPath?: string;
  ggufType?: GgufType;
  /** GGUF/Ollama: the base model and the LoRA adapter as two GGUF files instead of one merged model. */
  loraOnly?: boolean;
  /** gptq/awq: columns per scale (default 128) or `channel`; and how many training rows calibrate it (default 256). */
  groupSize?: GroupSize;
  calibrationSamples?: number;
  /** Verify on the first N evaluation items only (default: all). */
  limit?: number;
  log?: (line: string) => void;
  environment?: NodeJS.ProcessEnv;
}

export interface ExportRecord extends AgreementFigures {
  format: ExportFormat;
  engine: 'vllm' | 'llama.cpp';
  dtype: string | null;
  gguf_type: GgufType | null;
  /** The tensor types each GGUF file really holds, by file name. */
  gguf_tensor_types: Record<string, GgufTensorTypes['tensor_types']> | null;
  lora_only: boolean;
  /** Quantized exports: the student's metric minus the export's (positive: the export scores lower). */
  metric_drop: number | null;
  quantization: QuantizationRecord | null;
  files: { name: string; bytes: number }[];
  commands: Record<string, string>;
}

const mergedSchema = z.object({ dtype: z.string(), eos_token: z.string(), files: z.array(z.string()) });

/** Unquantized exports must answer as the trained student did on at least this fraction of items. */
export const MIN_UNQUANTIZED_AGREEMENT = 0.99;

/**
 * Exports the run's trained student and proves the export by answering the evaluation items with its real
 * engine (vLLM for a merged model, llama.cpp for GGUF), writing `export.json` beside it.
 */
export async function runExport(options: ExportOptions): Promise<ExportRecord> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const environment = options.environment ?? process.env;
  if (options.format === 'awq' && !hasCudaGpu(environment)) throw new ExportError('awq needs a CUDA GPU: llmcompressor\'s AWQ calls pin_memory() unconditionally and fails on CPU; use --format gptq (W4A16, runs on CPU) here');
  const sources = await readExportSources(options.runDir, options.configPath);
  const loraOnly = options.loraOnly === true;
  if (loraOnly && options.format === 'merged') throw new ExportError('--lora-only applies to --format gguf or ollama (a merged export is one model by definition)');
  if (loraOnly && sources.adapter === undefined) throw new ExportError('--lora-only needs a LoRA student, and this one was fully fine-tuned (no adapter to export): use --format gguf without --lora-only');
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const requests = studentRequests(sources, options.limit);
  // gptq/awq: the group size is checked and the calibration rows picked before the merge and calibration run.
  const quantized = isQuantizedFormat(options.format) ? await prepareQuantizedExport({ method: options.format, runDir: options.runDir, model: sources.model, out, groupSize: options.groupSize, samples: options.calibrationSamples, environment, log }) : undefined;

  const workerPython = await ensureWorkerPython({ environment, configuredPython: sources.task.config.student?.python });
  const mergedDir = options.format === 'merged' ? out : join(out, '.merged');
  log(loraOnly ? `export: writing the base model with the student's tokenizer (${mergedDir})` : `export: merging the student into one model folder (${mergedDir})`);
  // LoRA-only: the base's weights, with the tokenizer and chat template the adapter was trained with.
  const adapterArgs = sources.adapter === undefined ? [] : loraOnly ? ['--tokenizer-from', sources.adapter] : ['--adapter', sources.adapter];
  const mergeArgs = ['-m', 'distillery_worker.export_merged', '--model', sources.model, '--out', mergedDir, '--dtype-of', sources.base, ...adapterArgs];
  const merged = mergedSchema.parse(lastJsonLine(await runPython(workerPython, mergeArgs, { what: 'merging the student', environment: { ...environment, PYTHONPATH: workerDirectory() }, log })));

  let engine: ExportRecord['engine'];
  let answers: Map<string, string>;
  const commands: Record<string, string> = {};
  let tensorTypes: ExportRecord['gguf_tensor_types'] = null;
  const ggufType = options.ggufType ?? 'f16';
  let quantization: QuantizationRecord | null = null;
  if (options.format === 'merged' || quantized !== undefined) {
    engine = 'vllm';
    if (quantized !== undefined) quantization = await quantized.quantize(mergedDir);
    const dtype = quantization?.served_dtype;
    const server = await startVllmServer({ python: await ensureVllmPython({ environment, log }), model: out, servedName: 'export', logFile: join(out, '..', `${basename(out)}-vllm.log`), environment, dtype });
    try {
      answers = await answerWithVllm(server, 'export', requests);
    } finally {
      await server.stop();
    }
    commands.vllm = `vllm serve ${out} --served-model-name student`;
  } else {
    engine = 'llama.cpp';
    const python = await ensureLlamacppPython({ environment, log });
    const model = await writeGguf({ python, modelDir: mergedDir, out, type: ggufType, dtype: merged.dtype, log });
    const gguf = model.file;
    const adapter = loraOnly ? await writeLoraGguf({ python, baseDir: mergedDir, adapterDir: sources.adapter!, out, dtype: merged.dtype, log }) : undefined;
    tensorTypes = Object.fromEntries([model, ...(adapter ? [adapter] : [])].map((entry) => [basename(entry.file), entry.tensorTypes.tensor_types]));
    answers = await answerWithLlamaCpp(python, gguf, requests, mergedDir, adapter?.file);
    commands['llama.cpp'] = `llama-cli -m ${gguf}${adapter ? ` --lora ${adapter.file}` : ''} -cnv`;
    if (options.format === 'ollama') {
      const modelfile = await writeOllamaModelfile({ workerPython, modelDir: mergedDir, gguf, adapter: adapter?.file, out, sources, environment });
      commands.ollama = `ollama create student -f ${modelfile} && ollama run student`;
    }
    rmSync(mergedDir, { recursive: true, force: true });
  }

  const figures = exportAgreement(sources, answers);
  const ggufQuantized = options.format !== 'merged' && quantization === null && isQuantized(ggufType);
  const record: ExportRecord = {
    format: options.format,
    engine,
    dtype: merged.dtype,
    gguf_type: options.format === 'merged' || quantization !== null ? null : ggufType,
    gguf_tensor_types: tensorTypes,
    lora_only: loraOnly,
    metric_drop: (ggufQuantized || quantization !== null) && figures.metric.student !== null && figures.metric.export !== null ? figures.metric.student - figures.metric.export : null,
    quantization,
    ...figures,
    files: filesOf(out),
    commands,
  };
  writeFileSync(join(out, 'export.json'), `${JSON.stringify(record, null, 2)}\n`);
  if (figures.items === 0) throw new ExportError(`the export could not be compared: no evaluation item has both the student's and the export's answer (see ${join(out, 'export.json')})`);
  if (figures.agreement < MIN_UNQUANTIZED_AGREEMENT && !ggufQuantized && quantization === null) {
    throw new ExportError(`the ${options.format} export answers only ${(figures.agreement * 100).toFixed(1)}% of ${figures.items} items as the trained student did (needs ≥ ${MIN_UNQUANTIZED_AGREEMENT * 100}%); first differences in ${join(out, 'export.json')}`);
  }
  return record;
}


function filesOf(dir: string): { name: string; bytes: number }[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .map((name) => ({ name, bytes: statSync(join(dir, name)).size }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

