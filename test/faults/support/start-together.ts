import type { NodeProcess } from './node-process';

/**
 * Waits for processes starting in parallel. Every one that started is added to `started` even
 * when another failed (then this throws that failure), so `afterAll` can kill them all.
 */
export async function startTogether(
  started: NodeProcess[],
  starting: Promise<NodeProcess>[],
): Promise<NodeProcess[]> {
  const results = await Promise.allSettled(starting);
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<NodeProcess>).value);
}
