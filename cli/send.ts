// `ofn-events send`: one test CloudEvent into an EventSource's topic or any bus topic — on the broker the files (or
// --bus) name, or through a Dapr sidecar (a cluster's, port-forwarded) with --dapr and --pubsub.
import { randomUUID } from 'node:crypto';
import { namespaceOf, validateSet, type EventSource } from '../lib/api/index.js';
import type { Event } from '../lib/cloudevents.js';
import { createSidecar } from '../lib/host/dapr.js';
import { busTopic } from '../lib/naming.js';
import { connectNamedBus } from './bus-of.js';
import { loadDocuments } from './load.js';
import { UsageError, type Cli } from './output.js';

export const sendHelp = `Usage: ofn-events send (-f <files> --event-source <name> --event <event> | --topic <topic>) [-n <ns>]
                       [--bus nats://…|redis://… | --dapr http://host:3500 --pubsub <component>]
                       [--data <json or text>] [--type <type>] [--source <uri>] [--subject <s>] [--id <id>]

Publishes one CloudEvent (structured, as the eventsource-handler does) to an EventSource event's bus topic
({namespace}-{eventSource}-{event}) or to --topic: on the bus the files name for that EventSource (or --bus), or
through a Dapr sidecar's publish API with --dapr and --pubsub (its API token from $DAPR_API_TOKEN). Prints the
event's id. Defaults: type io.openfunction.events.test, source ofn-events/send, a new id.

Example: ofn-events send -f manifests/samples/quickstart.yaml --event-source my-eventsource --event sample-one --data '{"n": 1}'`;

export interface SendOptions {
  files?: string[];
  namespace?: string;
  eventSource?: string;
  event?: string;
  topic?: string;
  bus?: string;
  dapr?: string;
  pubsub?: string;
  data?: string;
  type?: string;
  source?: string;
  subject?: string;
  id?: string;
  stdin?: () => string;
}

export async function send(options: SendOptions, cli: Cli): Promise<number> {
  const resources = options.files?.length ? validateSet(loadDocuments(options.files, options.stdin), options.namespace).resources.map((r) => r.resource) : [];
  let topic = options.topic;
  let busName: string | undefined;
  const namespace = options.namespace ?? 'default';
  if (!topic) {
    if (!options.eventSource || !options.event) throw new UsageError('send needs --topic, or --event-source and --event');
    const es = resources.find((r): r is EventSource => r.kind === 'EventSource' && r.metadata.name === options.eventSource && namespaceOf(r, namespace) === namespace);
    if (!es && !options.dapr && !options.bus) throw new UsageError(`no EventSource "${options.eventSource}" in namespace "${namespace}" in the files (-f)`);
    topic = busTopic(namespace, options.eventSource, options.event);
    busName = es?.spec.eventBus;
  }
  const event: Event = {
    specversion: '1.0', id: options.id ?? randomUUID(), source: options.source ?? 'ofn-events/send', type: options.type ?? 'io.openfunction.events.test',
    time: new Date().toISOString(), ...(options.subject ? { subject: options.subject } : {}), ...dataOf(options.data),
  };
  if (options.dapr) {
    if (!options.pubsub) throw new UsageError('--dapr needs --pubsub <component>: the Dapr pub/sub component to publish with');
    const url = new URL(options.dapr);
    const sidecar = createSidecar({ host: url.hostname, httpPort: Number(url.port || 3500), ...(process.env.DAPR_API_TOKEN ? { apiToken: process.env.DAPR_API_TOKEN } : {}) });
    try {
      await sidecar.publish(options.pubsub, topic, event);
    } finally {
      await sidecar.close();
    }
  } else {
    const bus = await connectNamedBus(resources, namespace, busName, options.bus, (w) => cli.err(`warning: ${w}`));
    try {
      await bus.publish(topic, event);
    } finally {
      await bus.close();
    }
  }
  cli.out(event.id);
  cli.err(`sent ${event.type} to ${topic}`);
  return 0;
}

/** --data: JSON when it parses as JSON, else text. */
function dataOf(data: string | undefined): Partial<Event> {
  if (data === undefined) return {};
  try {
    return { datacontenttype: 'application/json', data: JSON.parse(data) as unknown };
  } catch {
    return { datacontenttype: 'text/plain', data };
  }
}
