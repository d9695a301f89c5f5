import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError, DistilleryError } from '../errors.js';
import { engineFiles } from '../engines/engine-files.js';
import { ensureLlmcompressorPython } from '../engines/llmcompressor-environment.js';
import { lastJsonLine, runPython } from '../engines/python-process.js';
import { checkpointDtype } from '../engines/vllm.js';
import { runPaths } from '../stages/run-paths.js';

/** A 4-bit export cannot be made as asked (a group size that does not divide a layer's width). */
export class QuantizedExportError extends DistilleryError {}

export type QuantizationMethod = 'gptq' | 'awq';
/** Columns per shared scale, or one scale per output channel. */
export type GroupSize = number | 'channel';

export const DEFAULT_GROUP_SIZE = 128;
export const DEFAULT_CALIBRATION_SAMPLES = 256;

export interface QuantizationRecord {
  method: QuantizationMethod;
  scheme: 'W4A16';
  group_size: number | null;
  calibration_samples: number;
  /** The dtype vLLM runs the export in: its CPU and Marlin 4-bit kernels take bfloat16/float16 activations, not float32. */
  served_dtype: string;
  seconds: number;
  /** The merged (unquantized) student's weights, for the size comparison. */
  merged_bytes: number;
}

export function isQuantizedFormat(format: string): format is QuantizationMethod {
  return format === 'gptq' || format === 'awq';
}


const layersSchema = z.object({ layers: z.array(z.object({ name: z.string(), columns: z.number().int() })) });
export type LinearLayer = z.infer<typeof layersSchema>['layers'][number];

/** The Linear layers W4A16 quantizes (all but the output head), with their input widths; reads only the config. */
export async function linearLayers(python: string, modelDir: string): Promise<LinearLayer[]> {
  const stdout = await runPython(python, [join(engineFiles('llmcompressor'), 'linear_layers.py'), modelDir], { what: 'listing the layers to quantize' });
  return layersSchema.parse(lastJsonLine(stdout)).layers;
}

/**
 * Group-wise scales need the group size to divide every quantized layer's input width (vLLM's kernels and
 * compressed-tensors reject a partial group). Checked before calibration, naming the first layer that fails.
 */
export function checkGroupSize(layers: readonly LinearLayer[], groupSize: GroupSize): void {
  if (groupSize === 'channel') return;
  const misfit = layers.find((layer) => layer.columns % groupSize !== 0);
  if (misfit === undefined) return;
  const widths = [...new Set(layers.map((layer) => layer.columns))].sort((a, b) => a - b);
  const fitting = [128, 64, 32].filter((size) => size !== groupSize && widths.every((width) => width % size === 0));
  const offer = fitting.length > 0 ? `--group-size ${fitting[0]} (divides every width: ${widths.join(', ')}) or --group-size channel` : '--group-size channel (one scale per output channel)';
  throw new QuantizedExportError(`group size ${groupSize} does not divide layer ${misfit.name}'s ${misfit.columns} input columns (W4A16 needs whole groups); use ${offer}`);
}

const calibrationRowSchema = z.object({ messages: z.array(z.object({ role: z.string(), content: z.string() })).min(1) });

/**
 * Up to `samples` of the run's training rows (split/train.jsonl), evenly spaced over the file so the sample
 * covers it all; written to `file` for the quantizer, which renders each with the student's chat template.
 */
export function writeCalibrationSample(runDir: string, file: string, samples: number): number {
  const train = runPaths(runDir).split.train;
  if (!existsSync(train)) throw new DataError('no training rows to calibrate the 4-bit export on: run the split stage first', train);
  const lines = readFileSync(train, 'utf8').split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new DataError('no training rows to calibrate the 4-bit export on', train);
  const count = Math.min(samples, lines.length);
  const picked = Array.from({ length: count }, (_, index) => {
    const line = Math.floor((index * lines.length) / count);
    const parsed = calibrationRowSchema.safeParse(JSON.parse(lines[line]!));
    if (!parsed.success) throw new DataError(`not a chat row ({ messages: [{ role, content }] }): ${parsed.error.issues[0]?.message}`, train, line + 1);
    return JSON.stringify(parsed.data);
  });
  writeFileSync(file, `${picked.join('\n')}\n`);
  return count;
}

export interface QuantizeOptions {
  /** llmcompressor's interpreter. */
  python: string;
  mergedDir: string;
  calibrationFile: string;
  out: string;
  method: QuantizationMethod;
  groupSize: GroupSize;
  samples: number;
  log?: (line: string) => void;
}

/** llmcompressor's oneshot (see engines/llmcompressor/quantize.py): W4A16 compressed-tensors in `out`. */
export async function quantizeWithLlmcompressor(options: QuantizeOptions): Promise<void> {
  const args = [join(engineFiles('llmcompressor'), 'quantize.py'), options.mergedDir, options.calibrationFile, options.out, '--method', options.method, '--group-size', String(options.groupSize), '--samples', String(options.samples)];
  await runPython(options.python, args, { what: `llmcompressor ${options.method} quantization`, log: options.log });
}

/** The dtype to serve a W4A16 export in: vLLM's 4-bit kernels have no float32 path ("cpu_gemm_wna16 not implemented for 'Float'"). */
export function quantizedServingDtype(dir: string): string {
  const dtype = checkpointDtype(dir);
  return dtype === 'float32' || dtype === 'auto' ? 'bfloat16' : dtype;
}

export interface QuantizedExportPlan {
  /** Quantizes the merged student into `out` (W4A16 compressed-tensors), then removes the merged copy. */
  quantize(mergedDir: string): Promise<QuantizationRecord>;
}

/**
 * Everything that can fail fast, before the merge and the calibration: llmcompressor's environment, the
 * group size against the model's layer widths, and the calibration rows (written to `out/.calibration.jsonl`).
 */
export async function prepareQuantizedExport(options: {
  method: QuantizationMethod;
  runDir: string;
  /** The model whose layers are quantized (the base for a LoRA student: merging keeps its shapes). */
  model: string;
  out: string;
  groupSize?: GroupSize;
  samples?: number;
  environment?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): Promise<QuantizedExportPlan> {
  const groupSize = options.groupSize ?? DEFAULT_GROUP_SIZE;
  const python = await ensureLlmcompressorPython({ environment: options.environment, log: options.log });
  checkGroupSize(await linearLayers(python, options.model), groupSize);
  const calibrationFile = join(options.out, '.calibration.jsonl');
  const samples = writeCalibrationSample(options.runDir, calibrationFile, options.samples ?? DEFAULT_CALIBRATION_SAMPLES);
  return {
    async quantize(mergedDir) {
      const started = performance.now();
      options.log?.(`export: quantizing to W4A16 with llmcompressor ${options.method} on ${samples} training rows`);
      await quantizeWithLlmcompressor({ python, mergedDir, calibrationFile, out: options.out, method: options.method, groupSize, samples, log: options.log });
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      const mergedBytes = readdirSync(mergedDir).filter((name) => name.endsWith('.safetensors')).reduce((total, name) => total + statSync(join(mergedDir, name)).size, 0);
      rmSync(mergedDir, { recursive: true, force: true });
      rmSync(calibrationFile, { force: true });
      return { method: options.method, scheme: 'W4A16', group_size: groupSize === 'channel' ? null : groupSize, calibration_samples: samples, served_dtype: quantizedServingDtype(options.out), seconds, merged_bytes: mergedBytes };
    },
  };
}
