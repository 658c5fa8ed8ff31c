// Trigger → one Function (upstream-behaviour §5.2), with upstream's names, one input per subscribed topic, one output
// per sink (dead-letter sinks included) and per topic, and the handler config of lib/config/plan-trigger.ts.
// Conditions and the rest of the spec are checked first: an invalid Trigger gets no Function. Pure.
import type { Trigger } from '../../../lib/api/index.js';
import { checkResource, namespaceOf } from '../../../lib/api/index.js';
import { CORRELATION_STATE, planTriggerHandler } from '../../../lib/config/plan-trigger.js';
import {
  busTopic, LABELS, topicOutputName, triggerBusComponentName, triggerBusConsumerId, triggerFunctionName, triggerInputName, triggerSinkComponentName,
  triggerTopicBusComponentName, triggerTopicConsumerId,
} from '../../../lib/naming.js';
import { handlingWorstCaseMs } from '../../../lib/delivery.js';
import { busComponent, httpSinkComponent, metadata, type ComponentSpec } from './components.js';
import { functionOf, type DaprOutput, type FunctionObject, type FunctionParts } from './function.js';
import type { Problem } from './problem.js';
import { resolveBus, resolveSink, type World } from './world.js';

export function planTrigger(t: Trigger, world: World, defaultNamespace?: string): { functions: FunctionObject[]; problems: Problem[] } {
  const name = t.metadata.name;
  const namespace = namespaceOf(t, defaultNamespace);
  const problems: Problem[] = checkResource(t)
    .filter((p) => p.severity === 'error')
    .map((p) => ({ reason: p.path.endsWith('.condition') ? 'InvalidCondition' : 'InvalidSpec', message: `${p.path}: ${p.message}` }));
  const bus = resolveBus(world, namespace, t.spec.eventBus);
  if (!bus.ok) problems.push(bus);
  const { config, outputs: planned } = planTriggerHandler(t, namespace);
  const components = new Map<string, ComponentSpec>();
  const outputs: DaprOutput[] = [];
  planned.sinks.forEach((s, i) => {
    const path = `spec.subscribers[${s.subscriber}].${s.deadLetter ? 'deadLetterSink' : 'sink'}`;
    const sink = resolveSink(world, s.sink, namespace, path);
    if (!sink.ok) return void problems.push(sink);
    const component = triggerSinkComponentName(name, sink.value.namespace, i + 1);
    components.set(component, httpSinkComponent(sink.value.url, t.spec.subscribers[s.subscriber]?.delivery?.timeout));
    outputs.push({ name: component, type: 'bindings.http', operation: 'post', outputName: s.output });
  });
  if (problems.length > 0 || !bus.ok) return { functions: [], problems };

  const busName = triggerBusComponentName(name);
  const handlingMs = handlingWorstCaseMs(t.spec.subscribers);
  const shared = busComponent(bus.value, triggerBusConsumerId(namespace, name), handlingMs);
  const busType = shared.type;
  // The shared component carries the topic outputs, and on Kafka and Redis every input too.
  if (busType !== 'pubsub.jetstream' || planned.topics.length > 0) components.set(busName, shared);
  for (const { topic } of planned.topics) outputs.push({ name: busName, type: busType, topic, outputName: topicOutputName(topic) });
  const topics = [...new Set(config.inputs.map((i) => busTopic(i.namespace ?? namespace, i.eventSource, i.event)))];
  // On JetStream each input topic needs a durable of its own, hence a component of its own (naming.ts).
  const inputComponent = (topic: string): string => {
    if (busType !== 'pubsub.jetstream') return busName;
    const key = triggerTopicBusComponentName(name, topic);
    components.set(key, busComponent(bus.value, triggerTopicConsumerId(namespace, name, topic), handlingMs));
    return key;
  };
  return {
    functions: [
      functionOf({
        name: triggerFunctionName(name),
        namespace,
        image: world.images.triggerHandler,
        labels: { [LABELS.trigger]: name, [LABELS.eventBus]: t.spec.eventBus },
        owner: { apiVersion: t.apiVersion, kind: t.kind, name, uid: (t.metadata as { uid?: string }).uid },
        triggers: topics.map((topic) => ({ name: inputComponent(topic), type: busType, topic, inputName: triggerInputName(topic) })),
        outputs,
        components,
        config,
        ...stateOf(t),
      }),
    ],
    problems,
  };
}

/**
 * Where a Trigger keeps its correlation state: in memory, on one replica (as upstream); or in a Dapr state store
 * (an existing component, or one created from the Trigger's spec), on as many replicas as it asks for.
 */
function stateOf(t: Trigger): Partial<Pick<FunctionParts, 'singleReplica' | 'replicas' | 'states'>> {
  const state = t.spec.correlation?.state;
  if (!state) return { singleReplica: true };
  const replicas = t.spec.replicas ?? 1;
  // An existing component is reached by its name (the handler's config names it); OpenFunction's `states` takes
  // only full component specs (its CRD requires type, version and metadata).
  if (state.component) return { replicas };
  // A Secret reference becomes Dapr's secretKeyRef, as for every other credential.
  return { replicas, states: { [CORRELATION_STATE]: { type: state.type!, version: (state.version ?? 'v1') as 'v1', metadata: metadata(state.metadata ?? {}) } } };
}
