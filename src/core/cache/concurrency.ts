/** A small bounded-parallel map for tile creation (`concurrent_tile_creators`). */

/**
 * Calls `fn` for every item with at most `limit` calls running, and resolves with the results in
 * input order. After the first rejection no new call starts (MapProxy's thread pool drops its
 * queued meta tiles on the first error: a failing source is asked once per running creator, not
 * once per meta tile); the calls already running finish, then that rejection is rethrown.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && errors.length === 0) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  if (errors.length > 0) throw errors[0];
  return results;
}
