import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sharedData } from './helpers/needs.js';
import { loadTask } from '../src/config/load.js';
import { synthesizeFromTemplates } from '../src/stages/inputs/synthesize/index.js';
import { evaluateConfigSchema } from '../src/config/evaluate-config.js';
import { buildFilters } from '../src/stages/curate/build-filters.js';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');
const configs = readdirSync(EXAMPLES).map((name) => join(EXAMPLES, name, 'task.yaml'));

function decontaminationSources(curate: unknown, directory: string): string[] {
  if (!Array.isArray(curate)) return [];
  return curate.flatMap((entry: unknown) => {
    const against = (entry as { decontaminate?: { against?: unknown } } | null)?.decontaminate?.against;
    return typeof against === 'string' ? [resolve(directory, against)] : [];
  });
}

// Named sets (JFLEG) are read from the data beside the checkout; without it they would be downloaded, which a
// test must not do (the loader's own tests cover the download and its error).
const jfleg = sharedData('jfleg');
beforeEach(() => {
  if (jfleg.value !== undefined) vi.stubEnv('DISTILLERY_DATA', dirname(jfleg.value));
});
afterEach(() => vi.unstubAllEnvs());

describe('example configs', () => {
  it.each(configs)('%s validates, curate filters included', async (file) => {
    const task = loadTask(file);
    expect(task.config.name).not.toBe('');
    if (task.config.evaluate) expect(evaluateConfigSchema.safeParse(task.config.evaluate).success).toBe(true);
    const build = () => buildFilters(task.config.curate, { configDirectory: task.dir, chatFor: () => async () => ({ content: '' }) }, task.file);
    // A decontamination set lives beside the checkout (../shared/data); a fresh clone elsewhere lacks it,
    // and building the filters must then say which file is missing.
    const missing = decontaminationSources(task.config.curate, task.dir).find((path) => !existsSync(path));
    if (missing !== undefined) {
      await expect(build()).rejects.toThrow(`cannot read ${missing}`);
      return;
    }
    const named = JSON.stringify(task.config.curate).includes('"dataset"');
    if (named && jfleg.value === undefined) {
      console.warn(`not building the curate filters of ${file}: ${jfleg.missing}`);
      return;
    }
    const { filters } = await build();
    expect(filters.length).toBe(Array.isArray(task.config.curate) ? task.config.curate.length : filters.length);
  });

  it('the templated example synthesizes 600 distinct inputs over its three templates', () => {
    const task = loadTask(join(EXAMPLES, 'synthetic-templates', 'task.yaml'));
    const settings = task.config.inputs.synthesize as { templates: Parameters<typeof synthesizeFromTemplates>[0] };
    const inputs = synthesizeFromTemplates(settings.templates);
    expect(inputs).toHaveLength(600);
    expect(new Set(inputs.map((input) => input.input)).size).toBe(600);
    expect(new Set(inputs.map((input) => input.fields.template))).toEqual(new Set(['fahrenheit', 'celsius', 'json']));
  });

  it('the grammar example trains on the canonical Nebius host and names the inference id its LoRA deploys on', () => {
    const task = loadTask(join(EXAMPLES, 'grammar-correction', 'task.yaml'));
    expect(task.config.endpoints.nebius?.base_url).toBe('https://api.tokenfactory.nebius.com/v1');
    expect(task.config.student).toMatchObject({ trainer: 'hosted', endpoint: 'nebius', deploy_base: expect.any(String) });
  });
});

describe('README', () => {
  it('carries the config reference generated from the current schema', async () => {
    const { readFileSync } = await import('node:fs');
    const { readmeWithReference } = await import('../scripts/config-reference.js');
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    expect(readmeWithReference(readme)).toBe(readme);
  });
});
