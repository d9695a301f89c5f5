import { describe, expect, it } from 'vitest';
import { distributedSchema, taskSchema } from '../../../config/schema.js';
import type { LoadedTask } from '../../../config/load.js';
import { studentSettings } from '../student-settings.js';
import { accelerateConfig, distributedProblem, launcherArguments } from './distributed-launch.js';

function settingsFor(student: Record<string, unknown>): ReturnType<typeof studentSettings> {
  const config = taskSchema.parse({ name: 'x', inputs: { path: 'in.jsonl' }, teacher: { endpoint: 'local', model: 't' }, student });
  const task: LoadedTask = { file: '/tasks/task.yaml', dir: '/tasks', config, raw: {} };
  return studentSettings(task);
}

describe('student.distributed', () => {
  it('runs DDP under accelerate launch, one process per GPU', () => {
    const config = accelerateConfig(distributedSchema.parse({ processes: 2 }));
    expect(config).toMatchObject({ distributed_type: 'MULTI_GPU', num_processes: 2, num_machines: 1, machine_rank: 0, main_process_port: 29500 });
    expect(config).not.toHaveProperty('main_process_ip');
    expect(launcherArguments('/run/train/accelerate.json')).toEqual(['-m', 'accelerate.commands.launch', '--config_file', '/run/train/accelerate.json', '-m', 'distillery_worker']);
  });

  it('generates FSDP2 and DeepSpeed ZeRO-3 configs, counting processes over all machines', () => {
    const fsdp = accelerateConfig(distributedSchema.parse({ processes: 8, strategy: 'fsdp', machines: 2, machine_rank: 1, main_address: '10.0.0.1' }));
    expect(fsdp).toMatchObject({ distributed_type: 'FSDP', num_processes: 16, num_machines: 2, machine_rank: 1, main_process_ip: '10.0.0.1', fsdp_config: { fsdp_version: 2, fsdp_state_dict_type: 'FULL_STATE_DICT' } });
    const zero = accelerateConfig(distributedSchema.parse({ processes: 4, strategy: 'deepspeed' }));
    expect(zero).toMatchObject({ distributed_type: 'DEEPSPEED', num_processes: 4, deepspeed_config: { zero_stage: 3, zero3_save_16bit_model: true } });
  });

  it('names inconsistent settings at config time', () => {
    expect(distributedProblem(distributedSchema.parse({ processes: 2, machines: 2 }))).toMatch(/main_address/);
    expect(distributedProblem(distributedSchema.parse({ processes: 2, machines: 2, machine_rank: 2, main_address: 'h' }))).toMatch(/machine_rank 2/);
    expect(() => settingsFor({ base: 'm', distributed: { processes: 2, machines: 3 } })).toThrow(/student\.distributed: main_address/);
    expect(() => settingsFor({ base: 'm', trainer: 'hosted', distributed: { processes: 2 } })).toThrow(/only the local trainer/);
    expect(() => taskSchema.parse({ name: 'x', inputs: { path: 'i' }, teacher: { endpoint: 'local', model: 't' }, student: { base: 'm', distributed: { processes: 2, strategy: 'horovod' } } })).toThrow();
    expect(settingsFor({ base: 'm', distributed: { processes: 2 } }).student.distributed?.strategy).toBe('ddp');
  });
});
