// EventSource → one Function per declared event (upstream-behaviour §4.2), with upstream's names and topics.
// Nothing is generated for an EventSource whose bus or sink cannot be resolved: the problem goes to its status.
// Pure.
import { sortKeys } from './sort.js';
import type { EventSource } from '../../../lib/api/index.js';
import { checkResource, namespaceOf } from '../../../lib/api/index.js';
import type { EventSourceHandlerConfig } from '../../../lib/config/eventsource.js';
import {
  busTopic, eventSourceBusComponentName, eventSourceBusConsumerId, eventSourceBusOutputName, eventSourceFunctionName, eventSourceInputName,
  eventSourceSinkComponentName, eventSourceSinkOutputName, kafkaConsumerGroup, LABELS, mqttClientId, redisConsumerGroup, sourceComponentName, SOURCE_KINDS,
} from '../../../lib/naming.js';
import { busComponent, cronSourceComponent, httpSinkComponent, kafkaSourceComponent, mqttSourceComponent, redisSourceComponent, type ComponentSpec } from './components.js';
import { functionOf, type DaprOutput, type FunctionObject } from './function.js';
import type { Problem } from './problem.js';
import { resolveBus, resolveSink, type World } from './world.js';

export function planEventSource(es: EventSource, world: World, defaultNamespace?: string): { functions: FunctionObject[]; problems: Problem[] } {
  const name = es.metadata.name;
  const namespace = namespaceOf(es, defaultNamespace);
  const { spec } = es;
  const problems: Problem[] = checkResource(es)
    .filter((p) => p.severity === 'error')
    .map((p) => ({ reason: 'InvalidSpec', message: `${p.path}: ${p.message}` }));

  const shared = new Map<string, ComponentSpec>();
  const outputs: DaprOutput[] = [];
  let busType: string | undefined;
  if (spec.eventBus) {
    const bus = resolveBus(world, namespace, spec.eventBus);
    if (!bus.ok) problems.push(bus);
    else {
      const component = busComponent(bus.value, eventSourceBusConsumerId(namespace, name));
      shared.set(eventSourceBusComponentName(name), component);
      busType = component.type;
    }
  }
  if (spec.sink) {
    const sink = resolveSink(world, spec.sink, namespace, 'spec.sink');
    if (!sink.ok) problems.push(sink);
    else {
      const component = eventSourceSinkComponentName(name, sink.value.namespace);
      shared.set(component, httpSinkComponent(sink.value.url));
      outputs.push({ name: component, type: 'bindings.http', operation: 'post', outputName: eventSourceSinkOutputName(name) });
    }
  }
  if (problems.length > 0) return { functions: [], problems };

  const functions: FunctionObject[] = [];
  for (const kind of SOURCE_KINDS) {
    for (const event of sortKeys(Object.keys(spec[kind] ?? {}))) {
      const componentName = sourceComponentName(kind, event);
      const source = (() => {
        switch (kind) {
          case 'kafka':
            return kafkaSourceComponent(spec.kafka![event]!, kafkaConsumerGroup(namespace, name, event));
          case 'cron':
            return cronSourceComponent(spec.cron![event]!.schedule);
          case 'mqtt':
            return mqttSourceComponent(spec.mqtt![event]!, mqttClientId(namespace, name, event));
          case 'redis':
            return redisSourceComponent(spec.redis![event]!, redisConsumerGroup(namespace, name, event));
        }
      })();
      const topic = busTopic(namespace, name, event);
      const busOutputs: DaprOutput[] = busType ? [{ name: eventSourceBusComponentName(name), type: busType, topic, outputName: eventSourceBusOutputName(name) }] : [];
      // Assigned field by field, in this order (the order of the encoded CONFIG): spreads cost most of the plan.
      const config = {} as EventSourceHandlerConfig;
      if (busType) {
        config.eventBusComponent = eventSourceBusComponentName(name);
        config.eventBusOutputName = eventSourceBusOutputName(name);
        config.eventBusTopic = topic;
      }
      if (spec.sink) config.sinkOutputName = eventSourceSinkOutputName(name);
      config.logLevel = spec.logLevel ?? '1';
      config.namespace = namespace;
      config.eventSource = name;
      config.event = event;
      config.sourceKind = kind;
      functions.push(
        functionOf({
          name: eventSourceFunctionName(name, kind, event),
          namespace,
          image: world.images.eventSourceHandler,
          labels: { [LABELS.eventSource]: name, ...(spec.eventBus ? { [LABELS.eventBus]: spec.eventBus } : {}) },
          owner: { apiVersion: es.apiVersion, kind: es.kind, name, uid: (es.metadata as { uid?: string }).uid },
          // A Redis source is a Redis-streams pub/sub input: its topic is the stream.
          triggers: [{ name: componentName, type: source.type, ...(kind === 'redis' ? { topic: spec.redis![event]!.stream ?? event } : {}), inputName: eventSourceInputName(event) }],
          // Bus first, as upstream sent to the bus before the sink (upstream-behaviour §8).
          outputs: [...busOutputs, ...outputs],
          components: new Map(shared).set(componentName, source),
          config,
        }),
      );
    }
  }
  return { functions, problems };
}
