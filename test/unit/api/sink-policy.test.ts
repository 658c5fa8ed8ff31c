// Sink targets a cluster refuses, credentials never shown, and where Secrets are named.
import fc from 'fast-check';
import { secretRefPaths } from '../../../lib/api/secret-refs.js';
import { privateSinkReason } from '../../../lib/api/sink-policy.js';
import { redactText, redactUrl } from '../../../lib/redact.js';

describe('sink policy - targets only the pod itself should reach', () => {
  test.each([
    ['http://localhost:3500/v1.0/invoke', 'this pod itself'],
    ['http://127.0.0.1:8080/', 'this pod itself'],
    ['http://2130706433/', 'this pod itself'], // 127.0.0.1 as one number
    ['http://0x7f.1/', 'this pod itself'],
    ['http://[::1]:3500/', 'this pod itself'],
    ['http://[::ffff:127.0.0.1]/', 'this pod itself'],
    ['http://0.0.0.0/', 'this pod itself'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'link-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['https://kubernetes.default.svc/api/v1/secrets', 'Kubernetes API server'],
    ['https://kubernetes.default.svc.cluster.local./api', 'Kubernetes API server'],
    ['http://display.default.svc.cluster.local/', undefined],
    ['https://hooks.example.com/x', undefined],
    ['http://10.0.0.7/', undefined],
  ])('%s', (uri, expected) => {
    const reason = privateSinkReason(uri);
    if (expected === undefined) expect(reason).toBeUndefined();
    else expect(reason).toContain(expected);
  });

  // Plain DNS names skip the URL parser; userinfo forces it, and changes nothing else the policy reads.
  test('the shortcut for plain host names agrees with the URL parser', () => {
    const label = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,6}$/);
    const special = fc.constantFrom('localhost', 'LocalHost', 'x.localhost', 'kubernetes', 'kubernetes.default.svc.', 'metadata', 'metadata.google.internal', 'instance-data', '127.0.0.1', '0x7f', '169.254.1.1');
    const host = fc.oneof(fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.')), special);
    const tail = fc.constantFrom('', '/', ':8080/x', '?q=1', '#f', ':3500');
    fc.assert(
      fc.property(host, tail, fc.constantFrom('http', 'https'), (h, t, scheme) => {
        expect(privateSinkReason(`${scheme}://${h}${t}`)).toBe(privateSinkReason(`${scheme}://user@${h}${t}`));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('redaction', () => {
  test('userinfo and secret-bearing query values are masked; the rest is kept', () => {
    expect(redactUrl('https://user:p4ss@hooks.example.com/x?token=abc&page=2&X-Amz-Signature=zz')).toBe('https://***:***@hooks.example.com/x?token=***&page=2&X-Amz-Signature=***');
    expect(redactUrl('not a url')).toBe('not a url');
    expect(redactText('Post "https://u:secret@h.example/p?api_key=k1": dial tcp: refused')).toBe('Post "https://***:***@h.example/p?api_key=***": dial tcp: refused');
  });
});

test('secretRefPaths names every field that reads a Secret', () => {
  expect(secretRefPaths({ kafka: { 'order-created': { brokers: 'b', saslPassword: { secretKeyRef: { name: 's', key: 'k' } } } }, redis: { x: { redisPassword: '' } } })).toEqual(['spec.kafka["order-created"].saslPassword']);
});
