// Bounded concurrency in order: `limit` lanes, each taking the next index when its last task is done, so tasks start
// in index order and at most `limit` run at once. Used where order of start matters (a Trigger's correlation reads
// stream entries in order) or where a bound protects the other side (the API server, a sink).
export async function inLanes(count: number, limit: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), count) }, lane));
}
