// What each source kind tells us about a message, from the input's metadata (Dapr binding headers, or what the
// local adapters set): a stable id where the source has one, and a subject. Pure.
import type { SourceMessage } from '../../lib/cloudevents.js';
import type { SourceKind } from '../../lib/naming.js';

export function sourceMessageOf(kind: SourceKind, metadata: Readonly<Record<string, string>>, payload: Uint8Array, origin?: { eventSource: string; event: string }): SourceMessage {
  // Keys are lower-case: Node lower-cases Dapr's binding headers, and the local adapters write them so.
  const message: SourceMessage = { payload };
  const time = metadata.time;
  if (time !== undefined) {
    const at = new Date(time);
    if (!Number.isNaN(at.getTime())) message.time = at;
  }
  switch (kind) {
    case 'kafka': {
      // Dapr ≥ 1.13 passes a record's coordinates as __topic, __partition, __offset (cc common/component/kafka
      // metadata.go); the local runtime writes them without the underscores.
      const topic = metadata.__topic ?? metadata.topic;
      const partition = metadata.__partition ?? metadata.partition;
      const offset = metadata.__offset ?? metadata.offset;
      const timestamp = metadata.__timestamp;
      if (timestamp !== undefined && message.time === undefined) {
        const at = new Date(/^\d+$/.test(timestamp) ? Number(timestamp) : timestamp);
        if (!Number.isNaN(at.getTime())) message.time = at;
      }
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
      // One tick, one id: a tick retried after a failure is the same event. Dapr's cron says when it read the tick
      // (readTimeUTC, Go's time.String(): "2026-12-02 12:57:25.215 +0000 UTC"); the local cron says `tick`.
      if (metadata.tick) message.id = metadata.tick;
      else if (metadata.readtimeutc) {
        const at = new Date(metadata.readtimeutc.replace(/^(\S+) (\S+) \+0000 UTC$/, '$1T$2Z'));
        if (!Number.isNaN(at.getTime())) {
          message.time = at;
          // As the local cron's ids: EventSource, event and time, so ticks of two sources never share an id (an
          // id is the JetStream dedupe key Dapr publishes with).
          message.id = `${origin ? `${origin.eventSource}-${origin.event}-` : ''}${message.time.toISOString()}`;
        }
      }
      return message;
  }
}
