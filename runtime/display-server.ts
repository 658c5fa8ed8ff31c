// The event display as an HTTP sink (Knative's event-display, on loopback): each path is one sink; a binary-mode
// CloudEvent POSTed there (what bindings.http sends: `ce-*` headers, body = data) is printed under its label.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Event } from '../lib/cloudevents.js';
import { formatEvent } from '../lib/local/display.js';
import { LOOPBACK } from './processes.js';

export interface DisplayServer {
  /** The URL of a new sink printed under `label`. */
  sink(label: string): string;
  /** Events received per label. */
  received: Map<string, number>;
  close(): Promise<void>;
}

/** A binary-mode CloudEvent from its HTTP request (CloudEvents HTTP binding §3.1). */
export function eventOfRequest(headers: IncomingMessage['headers'], body: Buffer): Event {
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('ce-') && typeof value === 'string') event[name.slice(3)] = decodeURIComponent(value);
  }
  const type = headers['content-type'];
  if (type) event.datacontenttype = type;
  const text = body.toString('utf8');
  let data: unknown = body.length === 0 ? undefined : text;
  if (type?.includes('json')) {
    try {
      data = JSON.parse(text);
    } catch {
      // shown as text
    }
  }
  if (data !== undefined) event.data = data;
  return event as unknown as Event;
}

export async function startDisplayServer(print: (text: string) => void): Promise<DisplayServer> {
  const labels: string[] = [];
  const received = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const label = labels[Number((req.url ?? '').split('/')[1])];
      if (req.method !== 'POST' || label === undefined) {
        res.writeHead(404).end();
        return;
      }
      received.set(label, (received.get(label) ?? 0) + 1);
      print(formatEvent(eventOfRequest(req.headers, Buffer.concat(chunks)), label));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    sink(label) {
      labels.push(label);
      return `http://${LOOPBACK}:${port}/${labels.length - 1}`;
    },
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
