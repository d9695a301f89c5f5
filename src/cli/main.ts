import { Command } from 'commander';
import { applyMemoryPolicy } from './memory-policy.js';
import { registerCurate } from './curate-command.js';
import { registerEvaluate } from './evaluate-command.js';
import { registerGenerate } from './generate-command.js';
import { registerScore } from './score-command.js';
import { registerCapture } from './capture-command.js';
import { registerServe } from './serve-command.js';
import { registerExport } from './export-command.js';
import { registerRun } from './pipeline-command.js';
import { registerSplit } from './split-command.js';
import { registerTrain } from './train-command.js';
import { registerInspect } from './inspect-command.js';
import { registerWorker } from './worker-command.js';
import { registerEngine } from './engine-command.js';
import { registerSchema } from './schema-command.js';
import { registerInit } from './init-command.js';
import { registerDoctor } from './doctor-command.js';
import { registerStatus } from './status-command.js';
import { registerUi } from './ui-command.js';
import { registerCompare } from './compare-command.js';
import { reportError } from './run-command.js';

applyMemoryPolicy();

const program = new Command()
  .name('distillery')
  .description('Task-specific LLM distillation: teacher outputs in, a small fast student out, and the proof.')
  .version('0.1.0')
  .showHelpAfterError();

registerRun(program);
registerGenerate(program);
registerCurate(program);
registerSplit(program);
registerTrain(program);
registerInspect(program);
registerEvaluate(program);
registerScore(program);
registerServe(program);
registerCapture(program);
registerExport(program);
registerWorker(program);
registerEngine(program);
registerSchema(program);
registerInit(program);
registerDoctor(program);
registerStatus(program);
registerUi(program);
registerCompare(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}
