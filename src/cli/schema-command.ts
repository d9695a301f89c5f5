import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { taskJsonSchema } from '../config/json-schema.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print (or write) the JSON Schema of task configs, for editors')
    .option('--out <file>', 'write to this file instead of stdout')
    .action((options: { out?: string }) => {
      const text = `${JSON.stringify(taskJsonSchema(), null, 2)}\n`;
      if (options.out) writeFileSync(options.out, text);
      else process.stdout.write(text);
    });
}
