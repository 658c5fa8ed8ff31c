// A Redis EventSource's `concurrency` on real daprd: the component the controller generates sets daprd's pubsub.redis
// workers, and the sink sees that many deliveries open at once — 10 when unset (daprd's default, which the local
// runtime follows), one at a time in the stream's order with 1. Counted at a sink that answers only when the test
// says, so no clock decides the result.
import { createClient } from 'redis';
import { sharedBrokerUrl } from '../support/brokers.js';
import { complaints, runOnDapr, type DaprRun } from '../support/dapr.js';
import { startHoldingSink, type HoldingSink } from '../support/holding-sink.js';
import { eventually } from '../support/local.js';

const TIMEOUT = 180_000;
const ENTRIES = 25;
const hostPort = (url: string) => url.replace(/^[a-z]+:\/\//, '');

const yaml = (stream: string, sink: string, concurrency: number | undefined) => `
apiVersion: events.openfunction.io/v1alpha1
kind: EventSource
metadata: {name: rc}
spec:
  sink: {uri: "${sink}/e"}
  redis:
    e: {redisHost: "${hostPort(sharedBrokerUrl('redis'))}", redisPassword: ""${concurrency === undefined ? '' : `, concurrency: ${concurrency}`}, stream: "${stream}"}
`;

describe.each([
  [undefined, 10],
  [1, 1],
])('real daprd, a Redis source with concurrency %s', (concurrency, atOnce) => {
  let sink: HoldingSink;
  let run: DaprRun;
  let redis: ReturnType<typeof createClient>;
  const stream = `concurrency-${concurrency ?? 'default'}-${process.pid}`;

  beforeAll(async () => {
    sink = await startHoldingSink();
    redis = createClient({ url: sharedBrokerUrl('redis') });
    await redis.connect();
    // Written before daprd starts: its consumer group reads the stream from its start (cc pubsub/redis/redis.go,
    // XGroupCreateMkStream(…, "0")).
    for (let i = 0; i < ENTRIES; i++) await redis.xAdd(stream, '*', { data: JSON.stringify({ n: i }) });
    run = await runOnDapr(yaml(stream, sink.url, concurrency));
  }, TIMEOUT);

  afterAll(async () => {
    await run?.stop();
    await redis?.quit();
    await sink?.close();
  }, TIMEOUT);

  test(`the sink sees ${atOnce} deliveries open at once`, async () => {
    const arrived = () => sink.bodies.map((b) => (JSON.parse(b) as { n: number }).n);
    try {
      for (let answered = 0; answered < ENTRIES; ) {
        const next = Math.min(atOnce, ENTRIES - answered);
        await eventually(() => sink.open() >= next, () => `${next} deliveries open at the sink (${sink.open()} are, ${sink.bodies.length} came)`, 60_000);
        answered += sink.answer();
      }
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${complaints(run)}`, { cause: e });
    }
    expect(sink.most()).toBe(atOnce);
    expect(arrived().sort((a, b) => a - b)).toEqual([...Array(ENTRIES).keys()]);
    if (atOnce === 1) expect(arrived()).toEqual([...Array(ENTRIES).keys()]);
  }, TIMEOUT);
});
