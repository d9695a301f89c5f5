import { randomBytes } from 'node:crypto';

const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** An id in the provider's style: `prefix` followed by `length` random alphanumerics, e.g. `file-AbC…`. */
export function makeId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let suffix = '';
  for (const byte of bytes) suffix += alphabet[byte % alphabet.length];
  return prefix + suffix;
}

export function unixSeconds(now = Date.now()): number {
  return Math.floor(now / 1000);
}
