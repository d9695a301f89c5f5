/** Plain-fetch helpers shared by the fake provider's own tests. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export async function json<T = Record<string, any>>(response: Response | Promise<Response>): Promise<T> {
  return (await (await response).json()) as T;
}

/** Upload through real multipart/form-data, as the OpenAI SDKs do. */
export async function uploadFile(baseUrl: string, content: string | Uint8Array, purpose: string, filename = 'data.jsonl'): Promise<Record<string, any>> {
  const form = new FormData();
  form.append('purpose', purpose);
  form.append('file', new Blob([content]), filename);
  const response = await fetch(`${baseUrl}/files`, { method: 'POST', body: form });
  if (!response.ok) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
  return json(response);
}

export function jsonl(rows: readonly unknown[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

export function chatLine(customId: string, text: string): Record<string, unknown> {
  return { custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'teacher', messages: [{ role: 'user', content: text }] } };
}

/** GET `url` until `done(body)` or `maxPolls`; returns every status seen, in order. */
export async function pollStatuses(url: string, done: (body: Record<string, any>) => boolean, maxPolls = 20): Promise<{ statuses: string[]; last: Record<string, any> }> {
  const statuses: string[] = [];
  let last: Record<string, any> = {};
  for (let poll = 0; poll < maxPolls; poll += 1) {
    last = await json(fetch(url));
    statuses.push(last.status as string);
    if (done(last)) break;
  }
  return { statuses, last };
}
