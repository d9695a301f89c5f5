/**
 * A small valid safetensors file: 8-byte little-endian header length, a JSON header (space-padded to a multiple
 * of 8), then the raw little-endian tensor data. Holds LoRA A and B matrices of a tiny shape.
 */
export function loraSafetensors(seed: number, rank = 2, hidden = 4): Buffer {
  const tensors = [
    { name: 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', shape: [rank, hidden] },
    { name: 'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight', shape: [hidden, rank] },
  ];
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const buffers: Buffer[] = [];
  let offset = 0;
  for (const tensor of tensors) {
    const count = tensor.shape.reduce((product, size) => product * size, 1);
    const values = new Float32Array(count).map((_, index) => Math.sin(seed + index) / 10);
    const bytes = Buffer.from(values.buffer);
    header[tensor.name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    buffers.push(bytes);
  }
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((8 - (Buffer.byteLength(headerText) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(headerText)));
  return Buffer.concat([length, Buffer.from(headerText), ...buffers]);
}

export function loraAdapterConfig(baseModel: string, rank = 2, alpha = 8): Buffer {
  return Buffer.from(
    JSON.stringify(
      {
        base_model_name_or_path: baseModel,
        peft_type: 'LORA',
        task_type: 'CAUSAL_LM',
        r: rank,
        lora_alpha: alpha,
        lora_dropout: 0,
        bias: 'none',
        target_modules: ['q_proj'],
        inference_mode: true,
      },
      null,
      2,
    ),
  );
}
