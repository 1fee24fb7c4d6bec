# Prompt, greeting and defaults for learner shells (bash -l).
if [ -n "${BASH_VERSION:-}" ]; then
  PS1='\u@\h:\w\$ '
  cat /etc/motd
fi
# Lab images live in containerd's k8s.io namespace (the one CRI uses).
export CONTAINERD_NAMESPACE="${CONTAINERD_NAMESPACE:-k8s.io}"
