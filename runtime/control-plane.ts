// A throwaway Kubernetes control plane on loopback: a real etcd and kube-apiserver (scripts/peers.sh etcd kube), as
// envtest runs them — no kubelet, no controller-manager — with RBAC, static-token authentication and a fresh
// service-account key, each in its own temporary directory on free ports. Starts in seconds once built.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeer } from './peers.js';
import { freePort, LOOPBACK, startChild, waitUntil, type Child } from './processes.js';

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  /** A bearer token in group system:masters. */
  adminToken: string;
  /** A kubeconfig file for the admin, or impersonating `as` (e.g. system:serviceaccount:ns:name). */
  kubeconfig(as?: string): string;
  kubectl: string;
  dir: string;
  stop(): Promise<void>;
}

const ADMIN_TOKEN = 'ofn-events-admin';

function get(url: string, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function startControlPlane(): Promise<ControlPlane> {
  const etcdBin = findPeer('etcd');
  const apiserverBin = findPeer('kube-apiserver');
  const kubectl = findPeer('kubectl');
  const dir = mkdtempSync(join(tmpdir(), 'ofn-events-kube-'));
  const children: Child[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await child.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [client, peer, secure] = [await freePort(), await freePort(), await freePort()];
    const etcd = startChild('etcd', etcdBin, [
      '--data-dir', join(dir, 'etcd'), '--listen-client-urls', `http://${LOOPBACK}:${client}`, '--advertise-client-urls', `http://${LOOPBACK}:${client}`,
      '--listen-peer-urls', `http://${LOOPBACK}:${peer}`, '--initial-advertise-peer-urls', `http://${LOOPBACK}:${peer}`,
      '--initial-cluster', `default=http://${LOOPBACK}:${peer}`, '--unsafe-no-fsync', '--log-level', 'warn',
    ], { cwd: dir, env: process.env });
    children.push(etcd);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'tokens.csv'), `${ADMIN_TOKEN},admin,admin-uid,"system:masters"\n`);
    const apiserver = startChild('kube-apiserver', apiserverBin, [
      `--etcd-servers=http://${LOOPBACK}:${client}`, `--bind-address=${LOOPBACK}`, `--advertise-address=${LOOPBACK}`, `--secure-port=${secure}`,
      `--cert-dir=${join(dir, 'pki')}`, `--token-auth-file=${join(dir, 'tokens.csv')}`, '--authorization-mode=RBAC',
      `--service-account-issuer=https://${LOOPBACK}:${secure}`, `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`, '--service-cluster-ip-range=10.0.0.0/24',
      // No controller-manager creates default ServiceAccounts, so the admission that requires them is off (as envtest).
      '--disable-admission-plugins=ServiceAccount', '--allow-privileged=true', '--v=0',
    ], { cwd: dir, env: process.env });
    children.push(apiserver);
    const server = `https://${LOOPBACK}:${secure}`;
    await waitUntil(apiserver, async () => (await get(`${server}/readyz`, ADMIN_TOKEN)) === 200, 'ready', 60_000, 200);
    if (etcd.exited()) throw new Error(`etcd ${etcd.exited()}: ${etcd.output()}`);
    let configs = 0;
    return {
      server,
      adminToken: ADMIN_TOKEN,
      kubectl,
      dir,
      kubeconfig(as) {
        const file = join(dir, `kubeconfig-${++configs}`);
        writeFileSync(file, [
          'apiVersion: v1', 'kind: Config', 'current-context: test',
          'clusters:', '- name: test', '  cluster:', `    server: ${server}`, '    insecure-skip-tls-verify: true',
          'users:', '- name: test', '  user:', `    token: ${ADMIN_TOKEN}`, ...(as ? [`    as: ${as}`] : []),
          'contexts:', '- name: test', '  context: {cluster: test, user: test}', '',
        ].join('\n'));
        return file;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
