"use client";

import type { ReactNode } from "react";
import { Stepper } from "./stepper";

function Hop({ what, command }: { what: ReactNode; command: string }) {
  return (
    <>
      <p>{what}</p>
      <p className="mt-2 text-xs text-zinc-500">See it yourself:</p>
      <pre className="mt-1 overflow-x-auto rounded bg-zinc-900 p-2 text-xs text-zinc-100">
        <code>{command}</code>
      </pre>
    </>
  );
}

/** Every hop from `kubectl apply` to a running process, with the command that shows it. */
export function PodStepper() {
  return (
    <Stepper
      title="From Pod spec to running process"
      steps={[
        {
          label: "API server",
          body: (
            <Hop
              what="kubectl sends the Pod to the API server, which authenticates and authorizes the request, runs mutating then validating admission (webhooks included), and stores the object."
              command="kubectl apply -f pod.yaml -v=6"
            />
          ),
        },
        {
          label: "etcd",
          body: (
            <Hop
              what="The Pod is persisted in etcd under /registry/pods/<namespace>/<name>. It has no spec.nodeName yet: it is Pending."
              command={`kubectl get pod nginx -o jsonpath='{.spec.nodeName} {.status.phase}'`}
            />
          ),
        },
        {
          label: "Scheduler",
          body: (
            <Hop
              what="The scheduler watches for Pods without a node, filters nodes that fit (resources, taints, affinity), scores the rest, and binds the Pod by setting spec.nodeName."
              command="kubectl get events --field-selector involvedObject.name=nginx"
            />
          ),
        },
        {
          label: "kubelet",
          body: (
            <Hop
              what="The kubelet on that node sees a Pod bound to it. Its SyncPod pulls images, creates the pod sandbox, then creates and starts each container."
              command="journalctl -u kubelet | grep nginx"
            />
          ),
        },
        {
          label: "CRI",
          body: (
            <Hop
              what="The kubelet is a gRPC client of the container runtime over /run/containerd/containerd.sock: RunPodSandbox, PullImage, CreateContainer, StartContainer."
              command="crictl pods; crictl ps; crictl inspectp <pod-id>"
            />
          ),
        },
        {
          label: "containerd",
          body: (
            <Hop
              what="containerd's CRI plugin picks the runtime handler (from the Pod's RuntimeClass, default runc), starts the sandbox's pause container that holds the pod's namespaces, unpacks image layers into snapshots and writes each container's OCI spec."
              command="crictl inspect <container-id> | jq .info.runtimeSpec.linux.namespaces"
            />
          ),
        },
        {
          label: "shim",
          body: (
            <Hop
              what="For each pod containerd starts a containerd-shim-runc-v2. The shim calls runc and stays as the parent of the container processes, so containerd can restart without stopping them."
              command="ps -ef | grep containerd-shim"
            />
          ),
        },
        {
          label: "runc",
          body: (
            <Hop
              what="runc create builds namespaces, cgroups (memory.max = the limit), mounts and pivot_root from the OCI bundle; runc start execs the process. Then runc exits."
              command="runc --root /run/containerd/runc/k8s.io list"
            />
          ),
        },
        {
          label: "Process",
          body: (
            <Hop
              what="nginx is now an ordinary process on the node, in the pod's namespaces and in a cgroup under kubepods (kind: kubelet.slice/kubelet-kubepods.slice/...)."
              command="cat /proc/$(pgrep -o nginx)/cgroup; ls -l /proc/$(pgrep -o nginx)/ns"
            />
          ),
        },
      ]}
    />
  );
}
