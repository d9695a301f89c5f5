import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { convertToGguf } from '../engines/llamacpp.js';
import { llamaCppSources } from '../engines/llamacpp-environment.js';
import { ggufTensorTypes, needsQuantizer, quantizeGguf, sourceTypeFor, type ConverterType, type GgufTensorTypes, type GgufType } from '../engines/llamacpp-quantize.js';
import { runPython } from '../engines/python-process.js';

export interface GgufFile {
  file: string;
  /** The tensor types the file really holds (a K-quant falls back per tensor where its block does not divide a width). */
  tensorTypes: GgufTensorTypes;
}

/**
 * A model folder as one GGUF of `type`: the converter writes f16/bf16/f32/q8_0 itself; other types are
 * converted losslessly (the model's own dtype) first and then quantized by llama.cpp.
 */
export async function writeGguf(options: { python: string; modelDir: string; out: string; type: GgufType; dtype: string; log: (line: string) => void }): Promise<GgufFile> {
  const file = join(options.out, `model-${options.type}.gguf`);
  if (!needsQuantizer(options.type)) {
    options.log(`export: converting to GGUF (${options.type}) with llama.cpp's convert_hf_to_gguf.py`);
    await convertToGguf(options.python, options.modelDir, file, options.type as ConverterType, options.log);
    return { file, tensorTypes: await ggufTensorTypes(options.python, file) };
  }
  const source = sourceTypeFor(options.dtype);
  const intermediate = join(options.out, `.model-${source}.gguf`);
  options.log(`export: converting to GGUF (${source}), then quantizing to ${options.type} with llama.cpp's llama_model_quantize`);
  try {
    await convertToGguf(options.python, options.modelDir, intermediate, source, options.log);
    return { file, tensorTypes: await quantizeGguf(options.python, intermediate, file, options.type, options.log) };
  } finally {
    rmSync(intermediate, { force: true });
  }
}

/**
 * A PEFT LoRA adapter as a GGUF adapter with llama.cpp's convert_lora_to_gguf.py, against the base model
 * folder (its config.json gives the architecture); kept in the base's own dtype.
 */
export async function writeLoraGguf(options: { python: string; baseDir: string; adapterDir: string; out: string; dtype: string; log: (line: string) => void }): Promise<GgufFile> {
  const type = sourceTypeFor(options.dtype);
  const file = join(options.out, `adapter-${type}.gguf`);
  const script = join(llamaCppSources(options.python), 'convert_lora_to_gguf.py');
  options.log(`export: converting the LoRA adapter to GGUF (${type}) with llama.cpp's convert_lora_to_gguf.py`);
  await runPython(options.python, [script, '--base', options.baseDir, '--outfile', file, '--outtype', type, options.adapterDir], { what: 'convert_lora_to_gguf', log: options.log });
  return { file, tensorTypes: await ggufTensorTypes(options.python, file) };
}
