import type { HttpClient } from './http-client.js';
import { embeddingsSchema } from './protocol.js';

/** `POST /embeddings` for a batch of texts; vectors come back in input order whatever order the server used. */
export async function createEmbeddings(http: HttpClient, model: string, texts: string[]): Promise<number[][]> {
  // Asking twice costs a second answer, never a second thing on the server: retried like a read.
  const response = await http.json('POST', '/embeddings', embeddingsSchema, { model, input: texts }, { idempotent: true });
  const vectors: number[][] = new Array(texts.length);
  for (const item of response.data.data) vectors[item.index] = item.embedding;
  return vectors;
}
