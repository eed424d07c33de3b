/** A closed-loop load generator: `concurrency` workers each run `attempt` back to back until the deadline. */
export interface LoadResult {
  completed: number;
  errors: number;
  errorSamples: string[];
  durationMs: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

export async function runLoad(
  concurrency: number,
  durationMs: number,
  attempt: (worker: number) => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        const begin = performance.now();
        try {
          await attempt(worker);
          latencies.push(performance.now() - begin);
        } catch (error) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push((error as Error).message.slice(0, 300));
        }
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    completed: latencies.length,
    errors,
    errorSamples,
    durationMs: round(elapsed),
    perSecond: round((latencies.length / elapsed) * 1000),
    latencyMs: { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(latencies.at(-1) ?? 0) },
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
