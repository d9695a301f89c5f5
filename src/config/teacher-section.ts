import { ConfigError } from '../errors.js';
import type { TaskConfigParsed, TeacherConfig } from './schema.js';

/** Teacher answers come with the inputs (`inputs.output_field`, or chat-log rows): no teacher is called. */
export function importsTeacherOutputs(config: Pick<TaskConfigParsed, 'inputs'>): boolean {
  return config.inputs.output_field !== undefined || config.inputs.format === 'chat';
}

/** The `teacher:` section, or a config error naming what needed it (the section may be absent when answers are imported). */
export function requireTeacher(config: Pick<TaskConfigParsed, 'teacher'>, file: string, purpose: string): TeacherConfig {
  if (config.teacher) return config.teacher;
  throw new ConfigError(`${file}: teacher: ${purpose} needs a teacher section (answers are imported from inputs, so none was required until now)`, file, 'teacher');
}
