// The controller's RBAC is exactly what it uses: every request it makes in a full life cycle (create, status,
// Ready, prune, repair, ConfigMap, watch) is allowed by manifests/rbac/controller.yaml, and every rule is used.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { silentLogger } from '../../lib/function.js';
import { kubeFrom } from '../../lib/io/kube.js';
import { createController } from '../../functions/controller/controller.js';
import { startFakeKube } from '../support/fake-kube.js';
import { eventually } from '../support/local.js';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

test('controller RBAC: every request allowed, every rule used', async () => {
  const fake = await startFakeKube();
  const EVENTS = 'events.openfunction.io/v1alpha1';
  fake.put('eventbuses', { apiVersion: EVENTS, kind: 'EventBus', metadata: { name: 'default', namespace: 'default' }, spec: { jetstream: { natsURL: 'nats://nats:4222' } } });
  fake.put('eventsources', { apiVersion: EVENTS, kind: 'EventSource', metadata: { name: 'shop', namespace: 'default' }, spec: { eventBus: 'default', cron: { a: { schedule: '@every 5s' }, b: { schedule: '@every 5s' } } } });
  fake.put('triggers', { apiVersion: EVENTS, kind: 'Trigger', metadata: { name: 'orders', namespace: 'default' }, spec: { eventBus: 'default', inputs: { a: { eventSource: 'shop', event: 'a' } }, subscribers: [{ condition: 'a', topic: 'x' }] } });
  const controller = createController(kubeFrom(fake.kubeConfig), {
    log: silentLogger, now: () => new Date(), configMaps: [{ namespace: 'openfunction', name: 'openfunction-events-config' }, { namespace: 'openfunction', name: 'openfunction-config' }],
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
  });
  try {
    await controller.start();
    await eventually(() => fake.list('core.openfunction.io/v1beta2', 'functions').length === 3, 'Functions');
    fake.put('eventsources', { apiVersion: EVENTS, kind: 'EventSource', metadata: { name: 'shop', namespace: 'default' }, spec: { eventBus: 'default', cron: { a: { schedule: '@every 5s' } } } });
    await eventually(() => fake.list('core.openfunction.io/v1beta2', 'functions').length === 2, 'a pruned Function');
  } finally {
    await controller.stop();
    await fake.close();
  }

  const used = new Set<string>();
  for (const r of fake.requests) {
    const m = /^\/(?:apis\/([^/]+)\/[^/]+|api\/v1)(?:\/namespaces\/[^/]+)?\/([^/?]+)(?:\/([^/?]+))?(?:\/(status))?/.exec(r.path)!;
    const [, group = '', resource, name, sub] = m;
    const watch = r.path.includes('watch=true');
    const verbs = r.method === 'GET' ? [watch ? 'watch' : name ? 'get' : 'list'] : r.method === 'DELETE' ? ['delete'] : r.method === 'POST' ? ['create'] : ['patch'];
    for (const verb of verbs) used.add(`${group}|${resource}${sub ? `/${sub}` : ''}|${verb}`);
  }
  // Server-side apply of an object that does not exist yet needs `create` as well.
  if (fake.requests.some((r) => r.method === 'PATCH' && r.path.includes('/functions/'))) used.add('core.openfunction.io|functions|create');

  const rules = parseAllDocuments(readFileSync('manifests/rbac/controller.yaml', 'utf8')).map((d) => d.toJS() as { kind: string; rules?: Rule[] }).filter((d) => d.rules).flatMap((d) => d.rules!);
  const granted = new Set(rules.flatMap((rule) => rule.apiGroups.flatMap((g) => rule.resources.flatMap((res) => rule.verbs.map((v) => `${g}|${res}|${v}`)))));
  expect([...used].filter((u) => !granted.has(u)).sort()).toEqual([]);
  expect([...granted].filter((g) => !used.has(g)).sort()).toEqual([]);
});
