import type { z } from 'zod';
import type { distributedSchema } from '../../../config/schema.js';

export type DistributedSettings = z.infer<typeof distributedSchema>;

/**
 * `student.distributed` as an accelerate config file (accelerate reads JSON as well as YAML): DDP, FSDP2 with full
 * sharding, or DeepSpeed ZeRO-3. Several machines use accelerate's own machine rank / main address settings; each
 * machine runs `distillery train` with its `machine_rank`.
 */
export function accelerateConfig(settings: DistributedSettings): Record<string, unknown> {
  const common = {
    compute_environment: 'LOCAL_MACHINE',
    num_machines: settings.machines,
    // accelerate counts processes over all machines.
    num_processes: settings.processes * settings.machines,
    machine_rank: settings.machine_rank,
    main_process_port: settings.main_port,
    ...(settings.main_address === undefined ? {} : { main_process_ip: settings.main_address }),
    rdzv_backend: 'static',
    same_network: true,
    use_cpu: false,
  };
  switch (settings.strategy) {
    case 'ddp':
      // On a machine without CUDA the worker trains on CPU and the Trainer picks the gloo backend.
      return { ...common, distributed_type: 'MULTI_GPU' };
    case 'fsdp':
      return {
        ...common,
        distributed_type: 'FSDP',
        fsdp_config: {
          fsdp_version: 2,
          fsdp_auto_wrap_policy: 'TRANSFORMER_BASED_WRAP',
          fsdp_reshard_after_forward: true,
          fsdp_cpu_ram_efficient_loading: true,
          fsdp_offload_params: false,
          // The final save gathers full weights on rank 0, so the adapter/model folder is ordinary safetensors.
          fsdp_state_dict_type: 'FULL_STATE_DICT',
          fsdp_activation_checkpointing: false,
        },
      };
    case 'deepspeed':
      return {
        ...common,
        distributed_type: 'DEEPSPEED',
        deepspeed_config: { zero_stage: 3, zero3_init_flag: true, zero3_save_16bit_model: true, offload_optimizer_device: 'none', offload_param_device: 'none' },
      };
  }
}

/** The interpreter arguments that run the worker module under `accelerate launch` with that config file. */
export function launcherArguments(configFile: string): string[] {
  return ['-m', 'accelerate.commands.launch', '--config_file', configFile, '-m', 'distillery_worker'];
}

/** A setting that cannot work, named; undefined when the settings are consistent. */
export function distributedProblem(settings: DistributedSettings): string | undefined {
  if (settings.machine_rank >= settings.machines) return `machine_rank ${settings.machine_rank} must be below machines (${settings.machines})`;
  if (settings.machines > 1 && settings.main_address === undefined) return 'main_address (machine 0) is needed when machines > 1';
  return undefined;
}
