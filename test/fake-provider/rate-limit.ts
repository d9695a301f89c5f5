/**
 * A server-side rate limit over a sliding window (default 60 s): `rpm` requests and `tpm` tokens.
 * A chat request's tokens are its prompt tokens plus the completion tokens of its answer (the fake knows the
 * answer before replying). A rejected request consumes nothing. Headers follow OpenAI's names and formats.
 */
export interface RateLimitOptions {
  rpm?: number;
  tpm?: number;
  windowMs?: number;
}

export type RateDecision =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; headers: Record<string, string>; retryAfterMs: number; limited: 'requests' | 'tokens' };

/** OpenAI's duration format in reset headers: `20ms`, `1.5s`, `6m0s`. */
export function formatResetDuration(ms: number): string {
  const rounded = Math.max(0, Math.ceil(ms));
  if (rounded < 1000) return `${rounded}ms`;
  if (rounded < 60_000) return `${Math.round(rounded / 10) / 100}s`;
  const minutes = Math.floor(rounded / 60_000);
  const seconds = Math.round((rounded % 60_000) / 1000);
  return `${minutes}m${seconds}s`;
}

export class RateLimiter {
  private events: Array<{ time: number; tokens: number }> = [];

  constructor(private readonly options: RateLimitOptions) {}

  private get windowMs(): number {
    return this.options.windowMs ?? 60_000;
  }

  check(tokens: number, now = Date.now()): RateDecision {
    this.events = this.events.filter((event) => event.time > now - this.windowMs);
    const { rpm, tpm } = this.options;
    const usedTokens = this.events.reduce((sum, event) => sum + event.tokens, 0);
    if (rpm !== undefined && this.events.length + 1 > rpm) {
      const retryAfterMs = (this.events[0]?.time ?? now) + this.windowMs - now;
      return { allowed: false, headers: this.headers(now), retryAfterMs, limited: 'requests' };
    }
    if (tpm !== undefined && usedTokens + tokens > tpm) {
      return { allowed: false, headers: this.headers(now), retryAfterMs: this.msUntilTokensFree(usedTokens + tokens - tpm, now), limited: 'tokens' };
    }
    this.events.push({ time: now, tokens });
    return { allowed: true, headers: this.headers(now) };
  }

  private msUntilTokensFree(excess: number, now: number): number {
    let freed = 0;
    for (const event of this.events) {
      freed += event.tokens;
      if (freed >= excess) return event.time + this.windowMs - now;
    }
    return this.windowMs;
  }

  private headers(now: number): Record<string, string> {
    const headers: Record<string, string> = {};
    const { rpm, tpm } = this.options;
    const oldest = this.events[0]?.time;
    const resetMs = oldest === undefined ? 0 : oldest + this.windowMs - now;
    if (rpm !== undefined) {
      headers['x-ratelimit-limit-requests'] = String(rpm);
      headers['x-ratelimit-remaining-requests'] = String(Math.max(0, rpm - this.events.length));
      headers['x-ratelimit-reset-requests'] = formatResetDuration(resetMs);
    }
    if (tpm !== undefined) {
      const used = this.events.reduce((sum, event) => sum + event.tokens, 0);
      headers['x-ratelimit-limit-tokens'] = String(tpm);
      headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, tpm - used));
      headers['x-ratelimit-reset-tokens'] = formatResetDuration(resetMs);
    }
    return headers;
  }
}
