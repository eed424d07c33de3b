/** What one stretch of closed-loop load measured. */
export interface LoadRun {
  latenciesMs: number[];
  errors: number;
  errorSamples: string[];
  durationMs: number;
}

/** One side's figures over all its stretches. */
export interface LoadResult {
  completed: number;
  errors: number;
  errorSamples: string[];
  durationMs: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

/** A closed-loop load generator: `concurrency` workers each run `attempt` back to back until the deadline. */
export async function runLoad(
  concurrency: number,
  durationMs: number,
  attempt: (worker: number) => Promise<void>,
): Promise<LoadRun> {
  const latenciesMs: number[] = [];
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
          latenciesMs.push(performance.now() - begin);
        } catch (error) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push((error as Error).message.slice(0, 300));
        }
      }
    }),
  );
  return { latenciesMs, errors, errorSamples, durationMs: performance.now() - started };
}

export function summarizeLoad(runs: LoadRun[]): LoadResult {
  const latencies = runs.flatMap((run) => run.latenciesMs).sort((a, b) => a - b);
  const durationMs = runs.reduce((sum, run) => sum + run.durationMs, 0);
  const at = (q: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    completed: latencies.length,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    errorSamples: runs.flatMap((run) => run.errorSamples).slice(0, 5),
    durationMs: round(durationMs),
    perSecond: round((latencies.length / durationMs) * 1000),
    latencyMs: { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(latencies.at(-1) ?? 0) },
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
