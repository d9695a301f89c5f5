import { join } from 'node:path';
import { z } from 'zod';
import { engineFiles } from './engine-files.js';
import { llamaCppSources } from './llamacpp-environment.js';
import { lastJsonLine, runPython } from './python-process.js';

/** Types llama.cpp's convert_hf_to_gguf.py writes directly. */
export const CONVERTER_TYPES = ['f16', 'bf16', 'f32', 'q8_0'] as const;
/**
 * Types made by llama.cpp's quantizer from a converted GGUF (measured on the test model in bench/gguf-quants.ts).
 * The IQ types and 1–2-bit ternary ones are left out: they need an importance matrix, which a quick export
 * has no calibration run for.
 */
export const QUANTIZER_TYPES = ['q4_k_m', 'q4_k_s', 'q5_k_m', 'q5_k_s', 'q6_k', 'q3_k_m', 'q2_k', 'q4_0', 'q5_0'] as const;
export const GGUF_TYPES = [...CONVERTER_TYPES, ...QUANTIZER_TYPES] as const;
export type GgufType = (typeof GGUF_TYPES)[number];
export type ConverterType = (typeof CONVERTER_TYPES)[number];

export function isGgufType(name: string): name is GgufType {
  return (GGUF_TYPES as readonly string[]).includes(name);
}

export function needsQuantizer(type: GgufType): boolean {
  return (QUANTIZER_TYPES as readonly string[]).includes(type);
}

/** Whether the type rounds the model's weights (so the export may answer differently and reports its drop). */
export function isQuantized(type: GgufType): boolean {
  return type !== 'f32' && type !== 'f16' && type !== 'bf16';
}

/** The lossless GGUF type to quantize from: the model's own dtype. */
export function sourceTypeFor(dtype: string): ConverterType {
  if (dtype === 'bfloat16') return 'bf16';
  if (dtype === 'float16') return 'f16';
  return 'f32';
}

const tensorTypesSchema = z.object({ tensor_types: z.record(z.string(), z.number().int()), tensors: z.number().int() });
export type GgufTensorTypes = z.infer<typeof tensorTypesSchema>;

function ggufTool(python: string, args: string[], log?: (line: string) => void): Promise<GgufTensorTypes> {
  const tool = join(engineFiles('llamacpp'), 'gguf_tool.py');
  return runPython(python, [tool, llamaCppSources(python), ...args], { what: `gguf_tool ${args[0]}`, log }).then((output) => tensorTypesSchema.parse(lastJsonLine(output)));
}

/**
 * llama.cpp's quantizer (`llama_model_quantize`) from `input` to `type`. Where a tensor's width is not a
 * multiple of a K-quant's 256-wide block, llama.cpp falls back to another type for it; the tensor types the
 * file really holds are returned rather than assumed.
 */
export function quantizeGguf(python: string, input: string, output: string, type: GgufType, log?: (line: string) => void): Promise<GgufTensorTypes> {
  return ggufTool(python, ['quantize', input, output, type], log);
}

/** The tensor types a GGUF file holds, counted. */
export function ggufTensorTypes(python: string, file: string): Promise<GgufTensorTypes> {
  return ggufTool(python, ['tensor-types', file]);
}
