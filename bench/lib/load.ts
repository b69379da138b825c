import autocannon from 'autocannon';

export interface LoadResult {
  concurrency: number;
  /** Measured wall time, in seconds. */
  seconds: number;
  /** Responses or completed iterations, successful or not. */
  completed: number;
  /** Successful responses (2xx without GraphQL errors) or iterations per second. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** HTTP responses outside 2xx (API only). */
  non2xx: number;
  /** Connection errors and timeouts (API), or thrown errors (baseline). */
  errors: number;
  /** 2xx responses whose body carried GraphQL `errors` (API only). */
  graphqlErrors: number;
}

/** Keeps every sample (a few hundred thousand at most), so the percentiles are exact. */
class Latencies {
  private samples = new Float64Array(1 << 16);
  private count = 0;

  add(ms: number): void {
    if (this.count === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.count++] = ms;
  }

  get size(): number {
    return this.count;
  }

  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const sorted = this.samples.slice(0, this.count).sort();
    return sorted[Math.min(this.count - 1, Math.ceil((p / 100) * this.count) - 1)]!;
  }
}

export interface HttpLoad {
  url: string;
  headers: Record<string, string>;
  body: string;
  concurrency: number;
  durationSeconds: number;
}

/**
 * autocannon with `concurrency` keep-alive connections, one request in flight on each. Latencies
 * come from its per-response event (autocannon's own histogram only keeps whole milliseconds).
 */
export function runHttpLoad(load: HttpLoad): Promise<LoadResult> {
  const latencies = new Latencies();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: load.url,
        method: 'POST',
        headers: load.headers,
        body: load.body,
        connections: load.concurrency,
        pipelining: 1,
        duration: load.durationSeconds,
        // Generous: with a slow page, 50 queued requests can take seconds each and still be answers.
        timeout: 30,
        // A GraphQL error answers 200 too; a substring test keeps the check cheap at thousands per second.
        verifyBody: (body) => !body.includes('"errors"'),
      },
      (error, result) => {
        if (error) return reject(error);
        const successful = Math.max(0, latencies.size - result.non2xx - result.mismatches);
        resolve({
          concurrency: load.concurrency,
          seconds: result.duration,
          completed: latencies.size,
          perSecond: successful / result.duration,
          p50Ms: latencies.percentile(50),
          p99Ms: latencies.percentile(99),
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
          graphqlErrors: result.mismatches,
        });
      },
    );
    instance.on('response', (_client, _statusCode, _bytes, responseTimeMs) => latencies.add(responseTimeMs));
  });
}
