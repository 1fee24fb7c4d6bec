/**
 * Per-sandbox kubeconfig files kept by the platform under
 * DATA_DIR/kind/<cluster>.kubeconfig (mode 0600): kind writes the cluster's
 * admin credentials there (`--kubeconfig`), never into the operator's
 * ~/.kube/config. They point at https://127.0.0.1:<published port>.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

/** Where the kubeconfigs of one platform live. */
export class KubeconfigStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, "kind");
  }

  /** The kubeconfig path of a cluster (the directory is created, owner-only). */
  pathFor(cluster: string): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    return path.join(this.dir, `${cluster}.kubeconfig`);
  }

  /** Removes a cluster's kubeconfig; missing is fine. */
  remove(cluster: string): void {
    rmSync(path.join(this.dir, `${cluster}.kubeconfig`), { force: true });
  }
}
