export type { SynthesizedInput } from './synthesized-input.js';
export { synthesizeFromTemplates, TemplateSynthesisSchema, InputTemplateSchema, SlotSchema, type TemplateSynthesis } from './template-inputs.js';
export { selfInstruct, SelfInstructOptionsSchema, DEFAULT_SELF_INSTRUCT_PROMPT, type SelfInstructOptions, type SelfInstructResult } from './self-instruct.js';
export { evolInstruct, EvolInstructOptionsSchema, EVOL_OPERATORS, type EvolInstructOptions, type EvolInstructResult } from './evol-instruct.js';
export { parseGeneratedList } from './parse-generated-list.js';
export { InputPool } from './input-pool.js';
