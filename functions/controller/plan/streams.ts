// The JetStream streams a set of Functions needs: per bus (NATS URL and stream name), every topic its Functions
// publish to or subscribe to. Dapr's pubsub.jetstream never creates a stream, and publishing to a subject no stream
// captures fails (conformance 1.16), so the controller (and `dev --runtime dapr`) make sure these exist. Pure.
import { DEFAULT_STREAM } from '../../../lib/naming.js';
import type { FunctionObject } from './function.js';

export interface StreamNeed {
  url: string;
  stream: string;
  token?: string;
  topics: string[];
}

export function streamsNeeded(functions: readonly FunctionObject[]): StreamNeed[] {
  const needs = new Map<string, { url: string; stream: string; token?: string; topics: Set<string> }>();
  for (const fn of functions) {
    for (const [name, spec] of Object.entries(fn.spec.serving.pubsub ?? {})) {
      if (spec.type !== 'pubsub.jetstream') continue;
      const value = (key: string) => spec.metadata.find((m) => m.name === key)?.value;
      const url = value('natsURL');
      if (!url) continue;
      const stream = value('streamName') ?? DEFAULT_STREAM;
      const token = value('token');
      const key = `${url} ${stream}`;
      const need = needs.get(key) ?? { url, stream, ...(token ? { token } : {}), topics: new Set<string>() };
      for (const t of fn.spec.serving.triggers.dapr) if (t.name === name && t.topic) need.topics.add(t.topic);
      for (const { dapr: o } of fn.spec.serving.outputs ?? []) if (o.name === name && o.topic) need.topics.add(o.topic);
      needs.set(key, need);
    }
  }
  return [...needs.values()].map((n) => ({ ...n, topics: [...n.topics].sort() }));
}
