// Where a sink URI may point. A sink is a request made from inside the cluster on the resource author's behalf: aimed
// at loopback it reaches the Dapr sidecar's API (3500) or the handler itself; at link-local, the cloud's metadata
// service (169.254.169.254, credentials included); at the Kubernetes API, whatever the pod's token may do. The
// controller refuses such URIs unless the cluster's admin allows them (openfunction-events-config
// `allowPrivateSinks: "true"`); `validate` warns. A name that merely resolves to such an address is not caught here.
// Pure.

const KUBERNETES_API_HOSTS = new Set(['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
const METADATA_HOSTS = new Set(['metadata', 'metadata.google.internal', 'instance-data', 'instance-data.ec2.internal']);

/** The ConfigMap key that lets sinks point at loopback, link-local and the cluster's API server. */
export const ALLOW_PRIVATE_SINKS_KEY = 'allowPrivateSinks';

/** IPv4 bytes of an IPv4-mapped IPv6 address as the URL parser writes it (`::ffff:7f00:1`). */
function mappedIpv4(host: string): number[] | undefined {
  if (!host.startsWith('::')) return undefined; // every form below starts so; most hosts are names
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!m) return host.startsWith('::ffff:') ? ipv4(host.slice(7)) : undefined;
  const [hi, lo] = [parseInt(m[1]!, 16), parseInt(m[2]!, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255];
}

function ipv4(host: string): number[] | undefined {
  // A dotted quad ends with a digit; a DNS name, the usual sink host, ends with a letter (checked before splitting).
  const last = host.charCodeAt(host.length - 1);
  if (!(last >= 0x30 && last <= 0x39)) return undefined;
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/**
 * An http(s) URL whose host is a plain DNS name whose last label starts with a letter: the WHATWG parser reads it
 * as that name, lowercased, never as an IPv4 address (which needs a numeric last label), so the full parse can be
 * skipped. The usual sink (`http://svc.ns.svc.cluster.local/`) takes this path; userinfo, ports with other
 * characters, IP literals and anything unusual fall through to the parser.
 */
const PLAIN_DNS_URL = /^https?:\/\/((?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*)\.?(?::\d{1,5})?(?:[/?#]|$)/;

/** Why a sink URI points somewhere only the pod itself should reach, or undefined. */
export function privateSinkReason(uri: string): string | undefined {
  const plain = PLAIN_DNS_URL.exec(uri);
  if (plain) return hostReason(plain[1]!.toLowerCase(), () => new URL(uri).host);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined; // malformed URIs are reported by the URI check
  }
  // The WHATWG parser has already turned 2130706433, 0x7f.1 and friends into dotted IPv4.
  return hostReason(url.hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, ''), () => url.host);
}

/** `shown`: the URL's host as the message names it, computed only when there is a message. */
function hostReason(host: string, shown: () => string): string | undefined {
  const v4 = ipv4(host) ?? mappedIpv4(host);
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '::' || v4?.[0] === 127 || (v4 && v4.every((b) => b === 0))) {
    return `${shown()} is this pod itself: its Dapr sidecar's API and the handler listen there`;
  }
  if ((v4?.[0] === 169 && v4[1] === 254) || /^fe[89ab][0-9a-f]:/.test(host) || host === 'fd00:ec2::254' || METADATA_HOSTS.has(host)) {
    return `${shown()} is link-local: the cloud metadata service, which hands out the node's credentials, answers there`;
  }
  if (KUBERNETES_API_HOSTS.has(host)) return `${shown()} is the Kubernetes API server`;
  return undefined;
}
