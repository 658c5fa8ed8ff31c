// Delivery through real daprd's bindings.http: a sink's own answer decides, not the sidecar's generic 500 — a 404
// is permanent (one attempt, then the dead-letter sink with ofnerrorcode 404); a sink that hangs is cut off at the
// subscriber's delivery.timeout (the sink component's responseTimeout) and retried.
import { sharedBrokerUrl } from '../support/brokers.js';
import { complaints, runOnDapr, type DaprRun } from '../support/dapr.js';
import { startScriptedSink, type ScriptedSink } from '../support/scripted-sink.js';
import { eventually } from '../support/local.js';
import { runCli } from '../support/cli.js';

const TIMEOUT = 120_000;
// Every sidecar and app of this run uses Dapr's API tokens: events flow only if daprd sends APP_API_TOKEN to the
// handlers and the handlers send DAPR_API_TOKEN to daprd.
const TOKENS = { app: 'app-token-for-tests', dapr: 'dapr-token-for-tests' };
let run: DaprRun | undefined;
let sink: ScriptedSink;
let dead: ScriptedSink;

beforeAll(async () => {
  [sink, dead] = await Promise.all([startScriptedSink(), startScriptedSink()]);
  run = await runOnDapr(`
apiVersion: events.openfunction.io/v1alpha1
kind: EventBus
metadata: {name: bus}
spec:
  jetstream: {natsURL: "${sharedBrokerUrl('nats')}", streamName: "DELIVERY_${process.pid}"}
---
apiVersion: events.openfunction.io/v1alpha1
kind: EventSource
metadata: {name: dl}
spec:
  eventBus: bus
  cron:
    tick: {schedule: "@every 1s"}
---
apiVersion: events.openfunction.io/v1alpha1
kind: Trigger
metadata: {name: dl}
spec:
  eventBus: bus
  inputs:
    tick: {eventSource: dl, event: tick}
  subscribers:
    - condition: tick
      sink: {uri: "${sink.url.replace('http://', 'http://alice:s3cret@')}/refuses"}
      deadLetterSink: {uri: "${dead.url}/dead"}
      delivery: {retry: 3, backoffDelay: "50ms", timeout: "1s"}
`, { apiTokens: TOKENS });
}, TIMEOUT);

afterAll(async () => {
  await run?.stop();
  await Promise.all([sink?.close(), dead?.close()]);
}, TIMEOUT);

test("with APP_API_TOKEN set, daprd's calls reach the handlers and anyone else's are refused", async () => {
  const trigger = run!.fn('t-dl');
  const anonymous = await fetch(`${trigger.appUrl}/dapr/subscribe`);
  expect(anonymous.status).toBe(401);
  const withToken = await fetch(`${trigger.appUrl}/dapr/subscribe`, { headers: { 'dapr-api-token': TOKENS.app } });
  expect(withToken.status).toBe(200);
  // daprd itself got through: it subscribed the Trigger (GET /dapr/subscribe) and delivers to it.
  await eventually(() => sink.deliveries.length > 0 || dead.deliveries.length > 0, 'a delivery through the authenticated sidecars', 30_000);
});

test("ofn-events send --dapr publishes through a real sidecar's publish API (its API token from DAPR_API_TOKEN)", async () => {
  const trigger = run!.fn('t-dl');
  // The Trigger's own input component: what a cluster's `kubectl port-forward` to its pod would reach.
  const pubsub = trigger.launch.components.map((c) => c.metadata.name).find((n) => n.includes('-pubsub-ebft-dl-'))!;
  process.env.DAPR_API_TOKEN = TOKENS.dapr;
  try {
    const sent = await runCli('send', '--dapr', trigger.daprUrl, '--pubsub', pubsub, '--topic', 'default-dl-tick', '--id', 'sent-through-dapr', '--data', '{"hello": "dapr"}');
    expect(sent.code).toBe(0);
  } finally {
    delete process.env.DAPR_API_TOKEN;
  }
  await eventually(() => [...sink.deliveries, ...dead.deliveries].some((d) => d.headers['ce-id'] === 'sent-through-dapr'), 'the sent event delivered by the Trigger', 30_000);
});

test("a sink URL's userinfo reaches the sink as Basic authorization through bindings.http, as the local runtime sends it", async () => {
  await eventually(() => sink.deliveries.length > 0, 'a delivery to the sink', 30_000);
  expect(sink.deliveries[0]!.headers.authorization).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
});

test('a sink answering 404 is not retried: the dead-letter sink gets the event with ofnerrorcode 404', async () => {
  sink.mode = { kind: 'fail', status: 404 };
  try {
    await eventually(() => dead.accepted('/dead').length >= 2, 'two dead letters', 30_000);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${complaints(run!)}`, { cause: e });
  }
  const letter = dead.accepted('/dead')[0]!;
  expect(letter.headers).toMatchObject({ 'ce-ofnerrorcode': '404', 'ce-ofntrigger': 'dl', 'ce-type': 'io.openfunction.events.cron' });
  // One attempt per event at the refusing sink: a 404 is permanent (through Dapr it used to be a retried 500).
  const attempts = sink.deliveries.filter((d) => d.id === letter.id).length;
  expect(attempts).toBe(1);
}, TIMEOUT);

test('a sink that hangs is cut off at delivery.timeout and retried, then dead-lettered', async () => {
  sink.mode = { kind: 'hang' };
  const before = dead.accepted('/dead').length;
  // A request the sidecar did not cut off would hang for good: four attempts of one event prove each ended.
  await eventually(() => dead.accepted('/dead').slice(before).some((d) => sink.deliveries.filter((s) => s.id === d.id && s.status === 'hung').length === 4), 'a dead letter after four cut-off attempts', 60_000);
}, TIMEOUT);
