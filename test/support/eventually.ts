export function sleep(ms: number): Promise<void> {
  return new Promise((wait) => setTimeout(wait, ms));
}

/** Runs `check` until it stops throwing, then returns its value (or rethrows its last error after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(25);
    }
  }
}
