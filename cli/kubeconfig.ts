// The kubeconfig a command talks to the cluster with: --kubeconfig, else $KUBECONFIG, else ~/.kube/config.
import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from './output.js';

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (e) {
    throw new UsageError(`--kubeconfig: cannot read ${path ?? 'the default kubeconfig'}: ${(e as Error).message}`);
  }
  return kc;
}
