// The event display sink (like Knative's event-display): prints every CloudEvent it receives, readably.
import type { Event } from '../cloudevents.js';
import type { Output } from './types.js';

export function formatEvent(event: Event, from: string): string {
  const lines = [`☁  ${from}`, `   id ${event.id}  type ${event.type}`, `   source ${event.source}${event.subject ? `  subject ${event.subject}` : ''}${event.time ? `  time ${event.time}` : ''}`];
  const extensions = Object.entries(event).filter(([k]) => !['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64'].includes(k));
  if (extensions.length > 0) lines.push(`   ${extensions.map(([k, v]) => `${k}=${String(v)}`).join('  ')}`);
  if (event.data !== undefined) {
    const data = Buffer.isBuffer(event.data) ? `<${event.data.length} bytes>` : typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
    lines.push(`   data ${data.length > 300 ? `${data.slice(0, 300)}…` : data}`);
  }
  return lines.join('\n');
}

export const displaySink = (name: string, print: (text: string) => void): Output => ({
  async send(data) {
    print(formatEvent(data as Event, name));
  },
});
