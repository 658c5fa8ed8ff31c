// The whole chain in one test, as the cluster guide tells a user to do it: `kubectl apply -k manifests`, then the
// quickstart in its own namespace (its bus pointed at a real NATS) → our controller (as its ServiceAccount) →
// Functions in a real API server → OpenFunction's part, played by a stand-in that launches each Function as
// OpenFunction would (package + real daprd + the Function's components) and reports it Running → events reach the
// `display` Service's sink → the Trigger and EventSource turn Ready in the API server.
import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { controller } from '../../cli/controller.js';
import { startControlPlane, type ControlPlane } from '../../runtime/control-plane.js';
import { sharedBrokerUrl } from '../support/brokers.js';
import { daprPeers } from '../support/dapr.js';
import { startRecorder, type Recorder } from '../support/http.js';
import { eventually } from '../support/local.js';
import { established, functionCrdAsInstalled } from '../support/openfunction-crds.js';
import { startOpenFunctionStandIn, type StandIn } from '../support/openfunction-standin.js';

const exec = promisify(execFile);
const TIMEOUT = 240_000;
let cp: ControlPlane;
let standIn: StandIn | undefined;
let display: Recorder;
const signals = new EventEmitter();
let running: Promise<number> | undefined;

async function kubectl(args: string[], input?: string): Promise<string> {
  const child = exec(cp.kubectl, ['--kubeconfig', cp.kubeconfig(), ...args]);
  if (input !== undefined) child.child.stdin!.end(input);
  return (await child).stdout;
}

beforeAll(async () => {
  cp = await startControlPlane();
  display = await startRecorder(200);
}, TIMEOUT);

afterAll(async () => {
  signals.emit('SIGINT');
  await running;
  await standIn?.stop();
  await display?.close();
  await cp?.stop();
}, TIMEOUT);

test('kubectl apply of the quickstart ends with events at the display sink and Ready in the API server', async () => {
  // What OpenFunction's install brings: its namespace and the Function CRD (as installed), Dapr's Component CRD.
  await kubectl(['create', 'namespace', 'openfunction']);
  await kubectl(['apply', '--server-side', '-f', '-'], functionCrdAsInstalled());
  await established((a) => kubectl(a), 'functions.core.openfunction.io');
  await kubectl(['apply', '-k', 'manifests']);
  await established((a) => kubectl(a), 'triggers.events.openfunction.io', 'eventsources.events.openfunction.io');

  // The cluster guide's steps: its own namespace, the bus pointed at the cluster's NATS.
  await kubectl(['create', 'namespace', 'quickstart']);
  const quickstart = readFileSync(join('manifests', 'samples', 'quickstart.yaml'), 'utf8').replace('nats://127.0.0.1:4222', sharedBrokerUrl('nats'));
  await kubectl(['apply', '-n', 'quickstart', '-f', '-'], quickstart);
  // The guide's display sink: accepted as written (no kubelet here runs it: the stand-in's cluster DNS maps the Service).
  expect(await kubectl(['apply', '-n', 'quickstart', '-f', 'docs/display.yaml'])).toMatch(/deployment.apps\/display created\nservice\/display created/);

  const { daprd, node16 } = daprPeers();
  standIn = await startOpenFunctionStandIn(cp.kubeconfig(), { daprd, node: node16, services: new Map([['display.quickstart', display.url]]) });
  const out: string[] = [];
  running = controller({ kubeconfig: cp.kubeconfig('system:serviceaccount:openfunction:openfunction-events-controller') }, { out: (l) => out.push(l), err: (l) => out.push(l) }, signals);

  const [fired] = await display.waitFor(1, 90_000);
  expect(fired!.headers).toMatchObject({ 'ce-type': 'io.openfunction.events.trigger.fired', 'ce-ofntrigger': 'together', 'ce-source': '/apis/events.openfunction.io/v1alpha1/namespaces/quickstart/triggers/together' });
  expect(standIn.running.size).toBe(3);
  await eventually(async () => (await kubectl(['get', 'trigger', 'together', '-n', 'quickstart', '-o', 'jsonpath={.status.state}'])) === 'Ready', 'the Trigger Ready', 60_000);
  await eventually(async () => (await kubectl(['get', 'eventsource', 'clock', '-n', 'quickstart', '-o', 'jsonpath={.status.state}'])) === 'Ready', 'the EventSource Ready', 60_000);
  const table = await kubectl(['get', 'eventsources,triggers', '-n', 'quickstart']);
  expect(table).toMatch(/trigger.events.openfunction.io\/together\s+default\s+Ready/);
  expect(out.filter((l) => l.startsWith('error:'))).toEqual([]);
}, TIMEOUT);
