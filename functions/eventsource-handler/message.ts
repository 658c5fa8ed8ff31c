// What each source kind tells us about a message, from the input's metadata (Dapr binding headers, or what the
// local adapters set): a stable id where the source has one, and a subject. Pure.
import type { SourceMessage } from '../../lib/cloudevents.js';
import type { SourceKind } from '../../lib/naming.js';

export function sourceMessageOf(kind: SourceKind, metadata: Readonly<Record<string, string>>, payload: Uint8Array): SourceMessage {
  const m = (key: string): string | undefined => metadata[key] ?? metadata[key.toLowerCase()];
  const time = m('time') ? new Date(m('time')!) : undefined;
  const message: SourceMessage = { payload, ...(time && !Number.isNaN(time.getTime()) ? { time } : {}) };
  switch (kind) {
    case 'kafka': {
      const [topic, partition, offset] = [m('topic'), m('partition'), m('offset')];
      // Kafka's own coordinates identify a record for good: redeliveries keep the id, so consumers can dedupe.
      if (topic && partition && offset) return { ...message, id: `${topic}-${partition}-${offset}`, subject: `partition:${partition}#${offset}` };
      return message;
    }
    case 'redis': {
      const [stream, id] = [m('stream'), m('id')];
      return stream && id ? { ...message, id: `${stream}-${id}`, subject: stream } : message;
    }
    case 'mqtt':
      return m('topic') ? { ...message, subject: m('topic')! } : message;
    case 'cron':
      // One tick, one id: a tick retried after a failure is the same event.
      return m('tick') ? { ...message, id: m('tick')! } : message;
  }
}
