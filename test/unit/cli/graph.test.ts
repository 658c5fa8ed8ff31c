import { runCli } from '../../support/cli.js';

describe('ofn-events graph', () => {
  test('the quickstart as Mermaid: sources, topics, the trigger with its condition, the sink', async () => {
    const result = await runCli('graph', '-f', 'manifests/samples/quickstart.yaml');
    expect(result.code).toBe(0);
    expect(result.out).toEqual([
      'flowchart LR',
      '  src_default_clock_cron_every_two[/"cron clock/every-two"/]',
      '  topic_default_clock_every_two(["default-clock-every-two"])',
      '  src_default_clock_cron_every_three[/"cron clock/every-three"/]',
      '  topic_default_clock_every_three(["default-clock-every-three"])',
      '  trigger_default_together{{"Trigger together"}}',
      '  sink_Service_display["Service display"]',
      '  src_default_clock_cron_every_two --> topic_default_clock_every_two',
      '  src_default_clock_cron_every_three --> topic_default_clock_every_three',
      '  topic_default_clock_every_two -->|"two"| trigger_default_together',
      '  topic_default_clock_every_three -->|"three"| trigger_default_together',
      '  trigger_default_together -->|"two && three"| sink_Service_display',
    ]);
  });

  test('DOT, for every upstream sample', async () => {
    const result = await runCli('graph', '-f', 'manifests/samples/upstream/05-trigger-conditions.yaml', '--format', 'dot');
    expect(result.out[0]).toBe('digraph events {');
    expect(result.out).toContain('  trigger_default_condition_trigger -> topic_metrics [label="eventA && eventB"];');
    expect(result.out.at(-1)).toBe('}');
  });

  test('keys, absences and durable state are drawn on the Trigger and its edges', async () => {
    const result = await runCli('graph', '-f', 'manifests/samples/keyed-orders.yaml');
    expect(result.out).toContain('  trigger_default_orders{{"Trigger orders (state: state.redis, 2 replicas)"}}');
    expect(result.out).toContain('  topic_default_checkout_created -->|"created by data.orderId"| trigger_default_orders');
    expect(result.out).toContain('  trigger_default_orders -->|"created && !paid, then no paid within 10m"| sink_http___reminders_default_svc_');
  });

  test('an unknown format is a usage error', async () => {
    expect((await runCli('graph', '-f', 'manifests/samples/quickstart.yaml', '--format', 'svg')).code).toBe(2);
  });
});
