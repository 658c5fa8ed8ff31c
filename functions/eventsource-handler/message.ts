// What each source kind tells us about a message, from the input's metadata (Dapr binding headers, or what the
// local adapters set): a stable id where the source has one, and a subject. Pure.
import type { SourceMessage } from '../../lib/cloudevents.js';
import type { SourceKind } from '../../lib/naming.js';

export function sourceMessageOf(kind: SourceKind, metadata: Readonly<Record<string, string>>, payload: Uint8Array): SourceMessage {
  // Keys are lower-case: Node lower-cases Dapr's binding headers, and the local adapters write them so.
  const message: SourceMessage = { payload };
  const time = metadata.time;
  if (time !== undefined) {
    const at = new Date(time);
    if (!Number.isNaN(at.getTime())) message.time = at;
  }
  switch (kind) {
    case 'kafka': {
      const { topic, partition, offset } = metadata;
      // Kafka's own coordinates identify a record for good: redeliveries keep the id, so consumers can dedupe.
      if (topic && partition && offset) {
        message.id = `${topic}-${partition}-${offset}`;
        message.subject = `partition:${partition}#${offset}`;
      }
      return message;
    }
    case 'redis':
      if (metadata.stream && metadata.id) {
        message.id = `${metadata.stream}-${metadata.id}`;
        message.subject = metadata.stream;
      }
      return message;
    case 'mqtt':
      if (metadata.topic) message.subject = metadata.topic;
      return message;
    case 'cron':
      // One tick, one id: a tick retried after a failure is the same event.
      if (metadata.tick) message.id = metadata.tick;
      return message;
  }
}
