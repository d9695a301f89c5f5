import { sleep } from './retry.js';

/**
 * Client-side RPM and TPM limits as two token buckets that refill continuously. Token cost is estimated
 * before the call and corrected with the real usage after it. Limits the config leaves open are learned
 * from `x-ratelimit-*` headers; a reported `remaining: 0` pauses everyone until its reset.
 */
export class RateLimiter {
  private requestsPerMinute: number | undefined;
  private tokensPerMinute: number | undefined;
  private requestCredit: number;
  private tokenCredit: number;
  private refilledAt: number;
  private pausedUntil = 0;
  private readonly learn: boolean;

  constructor(options: { rpm?: number; tpm?: number; learnFromHeaders?: boolean; now?: () => number }) {
    this.requestsPerMinute = options.rpm;
    this.tokensPerMinute = options.tpm;
    this.learn = options.learnFromHeaders ?? true;
    this.now = options.now ?? Date.now;
    this.refilledAt = this.now();
    // Start with one second's worth of credit, not a full minute's: a cold start must not burst 60× the rate.
    this.requestCredit = this.requestsPerMinute === undefined ? 0 : Math.max(1, this.requestsPerMinute / 60);
    this.tokenCredit = this.tokensPerMinute === undefined ? 0 : this.tokensPerMinute / 60;
  }

  private readonly now: () => number;

  get limits(): { rpm: number | undefined; tpm: number | undefined } {
    return { rpm: this.requestsPerMinute, tpm: this.tokensPerMinute };
  }

  /** Milliseconds to wait before a request of `tokens` may go; 0 means go now (and the credit is taken). */
  tryTake(tokens: number): number {
    const now = this.now();
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.refill(now);
    let wait = 0;
    if (this.requestsPerMinute !== undefined && this.requestCredit < 1) {
      wait = Math.max(wait, ((1 - this.requestCredit) / this.requestsPerMinute) * 60_000);
    }
    if (this.tokensPerMinute !== undefined) {
      // A request larger than a minute's budget would wait forever; let it go on a full bucket.
      const needed = Math.min(tokens, this.tokensPerMinute);
      if (this.tokenCredit < needed) wait = Math.max(wait, ((needed - this.tokenCredit) / this.tokensPerMinute) * 60_000);
    }
    if (wait > 0) return Math.ceil(wait);
    if (this.requestsPerMinute !== undefined) this.requestCredit -= 1;
    if (this.tokensPerMinute !== undefined) this.tokenCredit -= tokens;
    return 0;
  }

  async take(tokens: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.tryTake(tokens);
      if (wait === 0) return;
      await sleep(wait, signal);
    }
  }

  /** After the call: charge the difference between the estimate and the real token count. */
  settle(estimatedTokens: number, actualTokens: number): void {
    if (this.tokensPerMinute !== undefined) this.tokenCredit -= actualTokens - estimatedTokens;
  }

  observeHeaders(headers: Record<string, string>): void {
    if (!this.learn) return;
    const reported = rateLimitHeaders(headers);
    if (this.requestsPerMinute === undefined && reported.rpm !== undefined) {
      this.requestsPerMinute = reported.rpm;
      this.requestCredit = reported.requestsResetMs === undefined ? 1 : 0;
    }
    if (this.tokensPerMinute === undefined && reported.tpm !== undefined) {
      this.tokensPerMinute = reported.tpm;
      this.tokenCredit = 0;
    }
    const now = this.now();
    if (reported.requestsResetMs !== undefined) this.pausedUntil = Math.max(this.pausedUntil, now + reported.requestsResetMs);
    if (reported.tokensResetMs !== undefined) this.pausedUntil = Math.max(this.pausedUntil, now + reported.tokensResetMs);
  }

  private refill(now: number): void {
    const elapsed = now - this.refilledAt;
    this.refilledAt = now;
    if (this.requestsPerMinute !== undefined) {
      this.requestCredit = Math.min(this.requestsPerMinute, this.requestCredit + (elapsed / 60_000) * this.requestsPerMinute);
    }
    if (this.tokensPerMinute !== undefined) {
      this.tokenCredit = Math.min(this.tokensPerMinute, this.tokenCredit + (elapsed / 60_000) * this.tokensPerMinute);
    }
  }
}

/** What a response's rate-limit headers say: limits per minute, and how long to wait when one is used up. */
export interface ReportedRateLimits {
  rpm?: number;
  tpm?: number;
  /** Set only when no request is left: milliseconds until the request limit resets. */
  requestsResetMs?: number;
  tokensResetMs?: number;
}

/**
 * Rate-limit headers of the providers Distillery talks to:
 * - OpenAI, Nebius, vLLM gateways: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, limits per minute,
 *   resets as Go durations (`6m0s`).
 * - Together: `x-ratelimit-{limit,remaining,reset}` (requests) and `x-tokenlimit-{limit,remaining}` (tokens).
 *   Together meters per second (its rate-limit page: "measured in requests per second (RPS) and tokens per
 *   second (TPS)"), so these limits are taken as per second; had it meant per minute, the client would only
 *   be 60× more permissive than the server, which its 429s then correct, never 60× too slow.
 */
export function rateLimitHeaders(headers: Record<string, string>): ReportedRateLimits {
  const reported: ReportedRateLimits = {};
  const positive = (value: string | undefined): number | undefined => (value !== undefined && Number(value) > 0 ? Number(value) : undefined);
  const perMinute = positive(headers['x-ratelimit-limit-requests']);
  const perSecond = positive(headers['x-ratelimit-limit']);
  if (perMinute !== undefined) reported.rpm = perMinute;
  else if (perSecond !== undefined) reported.rpm = perSecond * 60;
  const tokensPerMinute = positive(headers['x-ratelimit-limit-tokens']);
  const tokensPerSecond = positive(headers['x-tokenlimit-limit']);
  if (tokensPerMinute !== undefined) reported.tpm = tokensPerMinute;
  else if (tokensPerSecond !== undefined) reported.tpm = tokensPerSecond * 60;
  if (headers['x-ratelimit-remaining-requests'] === '0') reported.requestsResetMs = parseResetDuration(headers['x-ratelimit-reset-requests']);
  else if (headers['x-ratelimit-remaining'] === '0') reported.requestsResetMs = parseResetDuration(headers['x-ratelimit-reset']);
  if (headers['x-ratelimit-remaining-tokens'] === '0') reported.tokensResetMs = parseResetDuration(headers['x-ratelimit-reset-tokens']);
  else if (headers['x-tokenlimit-remaining'] === '0') reported.tokensResetMs = parseResetDuration(headers['x-tokenlimit-reset'] ?? headers['x-ratelimit-reset']);
  return reported;
}

/** OpenAI writes resets as Go durations (`1s`, `6m0s`, `20ms`); some providers send plain seconds. */
export function parseResetDuration(value: string | undefined): number {
  if (value === undefined || value === '') return 1000;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const factor = unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1;
    total += Number(amount) * factor;
  }
  return total > 0 ? total : 1000;
}
