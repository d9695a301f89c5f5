import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkGroupSize, quantizedServingDtype, writeCalibrationSample } from './quantized-export.js';

const layers = [
  { name: 'model.layers.0.self_attn.q_proj', columns: 2560 },
  { name: 'model.layers.0.mlp.down_proj', columns: 9728 },
];

describe('checkGroupSize', () => {
  it('passes when the group size divides every width, and for channel-wise scales', () => {
    expect(() => checkGroupSize(layers, 128)).not.toThrow();
    expect(() => checkGroupSize([{ name: 'x', columns: 100 }], 'channel')).not.toThrow();
  });

  it('names the first layer that does not fit and the largest group size that does', () => {
    expect(() => checkGroupSize([...layers, { name: 'model.layers.0.mlp.gate_proj', columns: 2592 }], 128)).toThrow(
      "group size 128 does not divide layer model.layers.0.mlp.gate_proj's 2592 input columns (W4A16 needs whole groups); use --group-size 32 (divides every width: 2560, 2592, 9728) or --group-size channel",
    );
  });

  it('offers channel-wise scales alone when no usual group size fits', () => {
    expect(() => checkGroupSize([{ name: 'odd', columns: 100 }], 128)).toThrow(/use --group-size channel \(one scale per output channel\)$/);
  });
});

describe('writeCalibrationSample', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const row = (index: number) => JSON.stringify({ messages: [{ role: 'user', content: `q${index}` }, { role: 'assistant', content: `a${index}` }], id: index });

  it('picks rows evenly over split/train.jsonl, keeping only the messages', () => {
    dir = mkdtempSync(join(tmpdir(), 'calibration-'));
    mkdirSync(join(dir, 'split'));
    writeFileSync(join(dir, 'split', 'train.jsonl'), Array.from({ length: 10 }, (_, index) => row(index)).join('\n') + '\n\n');
    const file = join(dir, 'calibration.jsonl');
    expect(writeCalibrationSample(dir, file, 4)).toBe(4);
    const picked = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(picked.map((entry) => entry.messages[0].content)).toEqual(['q0', 'q2', 'q5', 'q7']);
    expect(picked[0]).toEqual({ messages: [{ role: 'user', content: 'q0' }, { role: 'assistant', content: 'a0' }] });
    expect(writeCalibrationSample(dir, file, 50)).toBe(10);
  });

  it('says which file and line is not a chat row, and that the split stage must run first', () => {
    dir = mkdtempSync(join(tmpdir(), 'calibration-'));
    expect(() => writeCalibrationSample(dir, join(dir, 'c.jsonl'), 4)).toThrow(/split[/\\]train\.jsonl: no training rows to calibrate the 4-bit export on: run the split stage first/);
    mkdirSync(join(dir, 'split'));
    writeFileSync(join(dir, 'split', 'train.jsonl'), `${row(0)}\n{"input":"no messages"}\n`);
    expect(() => writeCalibrationSample(dir, join(dir, 'c.jsonl'), 2)).toThrow(/train\.jsonl:2: not a chat row/);
  });
});

describe('quantizedServingDtype', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  it('serves float32 checkpoints in bfloat16 (vLLM\'s 4-bit kernels have no float32 path) and keeps half precision', () => {
    dir = mkdtempSync(join(tmpdir(), 'dtype-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ dtype: 'float32' }));
    expect(quantizedServingDtype(dir)).toBe('bfloat16');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ dtype: 'float16' }));
    expect(quantizedServingDtype(dir)).toBe('float16');
  });
});
