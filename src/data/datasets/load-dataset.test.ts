import { existsSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeNeeding, sharedData } from '../../../test/helpers/needs.js';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { datasetIdentity, DatasetError, loadDataset } from './load-dataset.js';

const temp = useTempDir();
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A stand-in for the official host: serves `files` (remote path → bytes) and counts the requests. */
async function mirror(files: Record<string, Buffer>): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').replace(/^\/jfleg\//, '');
    requests.push(path);
    const body = files[path];
    response.writeHead(body === undefined ? 404 : 200).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jfleg/`, requests };
}

describe('evaluation sets by name: errors', () => {
  it('without the files and without a reachable source, names the URLs and the folder they belong in', async () => {
    const root = temp.path();
    const error = await loadDataset({ dataset: 'jfleg', split: 'test' }, { environment: { DISTILLERY_DATA: root }, source: 'http://127.0.0.1:9/jfleg/', log: () => undefined }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatasetError);
    const message = (error as Error).message;
    expect(message).toContain(`not in ${join(root, 'jfleg')}`);
    expect(message).toContain('http://127.0.0.1:9/jfleg/test/test.src');
    expect(message).toContain('http://127.0.0.1:9/jfleg/test/test.ref3');
    expect(message).toContain('set DISTILLERY_DATA');
    expect(readdirSync(join(root, 'jfleg'))).toEqual([]);
  });

  it('refuses an unknown set or split, naming what exists', async () => {
    await expect(loadDataset({ dataset: 'conll14', split: 'test' })).rejects.toThrow("unknown evaluation set 'conll14' (known: jfleg)");
    await expect(loadDataset({ dataset: 'jfleg', split: 'train' })).rejects.toThrow("jfleg has no split 'train' (splits: dev, test)");
  });

  it('its identity is the pinned checksums, so stage hashes need no file', () => {
    expect(datasetIdentity({ dataset: 'jfleg', split: 'test' }).sha256[0]).toBe('893db119162487aa7f956b65978453576919e6797cd6c1955f93b7a8b9f4bbd8');
  });
});

describeNeeding('evaluation sets by name: JFLEG', sharedData('jfleg'), (jfleg) => {
  const official = (split: string): Record<string, Buffer> =>
    Object.fromEntries(['src', 'ref0', 'ref1', 'ref2', 'ref3'].map((suffix) => [`${split}/${split}.${suffix}`, readFileSync(join(jfleg, `${split}.${suffix}`))]));

  it('reads JFLEG test from DISTILLERY_DATA: 747 items with four references each, as in test.jsonl', async () => {
    const rows = await loadDataset({ dataset: 'jfleg', split: 'test' }, { environment: { DISTILLERY_DATA: join(jfleg, '..') }, source: 'http://127.0.0.1:9/', log: () => undefined });
    expect(rows).toHaveLength(747);
    const published = readFileSync(join(jfleg, 'test.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; sentence: string; corrections: string[] });
    expect(rows.map((row) => ({ id: row.id, sentence: row.input, corrections: row.references }))).toEqual(published);
  });

  it('downloads what is missing once, shows the licence and checksums, then reads locally', async () => {
    const root = temp.path();
    const host = await mirror(official('dev'));
    const log: string[] = [];
    const rows = await loadDataset({ dataset: 'jfleg', split: 'dev' }, { environment: { DISTILLERY_DATA: root }, source: host.url, log: (line) => log.push(line) });
    expect(rows).toHaveLength(754);
    expect(host.requests).toHaveLength(5);
    expect(log.join('\n')).toContain('CC BY-NC-SA 4.0');
    expect(log.join('\n')).toContain('dev.src sha256 4a0e8b86d18a1058460ff0a592dac1ba68986d135256efbd27e997ac43f295f8 verified');
    await loadDataset({ dataset: 'jfleg', split: 'dev' }, { environment: { DISTILLERY_DATA: root }, source: host.url, log: (line) => log.push(line) });
    expect(host.requests).toHaveLength(5);
  });

  it('keeps nothing that does not match its checksum, downloaded or found', async () => {
    const root = temp.path();
    const files = official('test');
    files['test/test.ref2'] = Buffer.from('not the reference\n');
    const host = await mirror(files);
    await expect(loadDataset({ dataset: 'jfleg', split: 'test' }, { environment: { DISTILLERY_DATA: root }, source: host.url, log: () => undefined })).rejects.toThrow(/test.ref2: sha256 [0-9a-f]{64}, expected 0e3c6abe/);
    expect(existsSync(join(root, 'jfleg', 'test.ref2'))).toBe(false);
    mkdirSync(join(root, 'jfleg'), { recursive: true });
    writeFileSync(join(root, 'jfleg', 'test.ref2'), 'edited by hand\n');
    await expect(loadDataset({ dataset: 'jfleg', split: 'test' }, { environment: { DISTILLERY_DATA: root }, source: host.url, log: () => undefined })).rejects.toThrow(/not the published file \(delete it to download it again\)/);
  });
});
