// The four kinds: schema plus the CRD facts kubectl sees (upstream-behaviour §2.1). Pure.
import type { z } from 'zod';
import { clusterEventBus, eventBus } from './eventbus.js';
import { eventSource } from './eventsource.js';
import { trigger } from './trigger.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  jsonPath: string;
  description?: string;
}

export interface KindInfo {
  kind: 'EventSource' | 'EventBus' | 'ClusterEventBus' | 'Trigger';
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  schema: z.ZodType;
  /** Upstream's columns; none means kubectl's default NAME and AGE. */
  printerColumns: PrinterColumn[];
}

// divergence: upstream-behaviour §2.1 — upstream's STATUS column reads `.status.conditions[-1].type` of an
// append-only log. Our conditions are a set keyed by type, so the column reads the summary `status.state`
// (Ready / Pending / Error) instead; the column names are upstream's.
const STATUS_COLUMN: PrinterColumn = {
  name: 'Status',
  type: 'string',
  jsonPath: '.status.state',
  description: 'Ready, Pending or Error',
};

/** Beyond upstream's columns: how many generated Functions run, and why the resource is not Ready. */
const RUN_COLUMNS: PrinterColumn[] = [
  { name: 'Functions', type: 'string', jsonPath: '.status.functions', description: 'Generated Functions running, of those planned' },
  { name: 'Reason', type: 'string', jsonPath: '.status.reason', description: 'Why it is not Ready' },
];

export const KINDS: readonly KindInfo[] = [
  {
    kind: 'EventSource',
    plural: 'eventsources',
    singular: 'eventsource',
    shortNames: ['es'],
    scope: 'Namespaced',
    schema: eventSource,
    printerColumns: [
      { name: 'EventBus', type: 'string', jsonPath: '.spec.eventBus' },
      { name: 'Sink', type: 'string', jsonPath: '.spec.sink.uri' },
      STATUS_COLUMN,
      ...RUN_COLUMNS,
    ],
  },
  {
    kind: 'EventBus',
    plural: 'eventbuses',
    singular: 'eventbus',
    shortNames: ['eb'],
    scope: 'Namespaced',
    schema: eventBus,
    printerColumns: [],
  },
  {
    kind: 'ClusterEventBus',
    plural: 'clustereventbuses',
    singular: 'clustereventbus',
    shortNames: ['ceb'],
    scope: 'Cluster',
    schema: clusterEventBus,
    printerColumns: [],
  },
  {
    kind: 'Trigger',
    plural: 'triggers',
    singular: 'trigger',
    shortNames: [],
    scope: 'Namespaced',
    schema: trigger,
    printerColumns: [{ name: 'EventBus', type: 'string', jsonPath: '.spec.eventBus' }, STATUS_COLUMN, ...RUN_COLUMNS],
  },
];

export const kindInfo = (kind: string): KindInfo | undefined => KINDS.find((k) => k.kind === kind);
