/** CPU accounting for benchmarks: this process, the Docker engines, and the machine's load. */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

/**
 * CPU seconds used so far by the Docker engine nodes run on (DOCKER_HOST's,
 * else the default socket's): its dockerd, the containerd it runs and that
 * containerd's shims, which carry `docker exec`. Other engines on the machine, and the containerd inside
 * each node (the node's own), are left out.
 */
export function engineCpuSeconds(endpoint = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"): number {
  const socket = endpoint.replace(/^unix:\/\//, "");
  const hz = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  const procs: { pid: string; ppid: string; name: string; ticks: number; args: string }[] = [];
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (name !== "dockerd" && name !== "containerd" && !name.startsWith("containerd-shim")) continue;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      procs.push({ pid, ppid: f[1]!, name, ticks: Number(f[11]) + Number(f[12]), args }); // utime + stime
    } catch {
      continue; // gone meanwhile
    }
  }
  // A dockerd without --host listens on the default socket.
  const serves = (args: string) => args.includes(socket) || (socket === "/var/run/docker.sock" && !/(^| )(--host|-H)[ =]/.test(args));
  const engine = procs.filter((p) => p.name === "dockerd" && serves(p.args));
  const daemons = new Set(engine.map((p) => p.pid));
  const containerd = procs.filter((p) => p.name === "containerd" && daemons.has(p.ppid));
  // Shims name their containerd's socket, which lives beside the engine's state.
  const sockets = containerd.map((p) => p.args.match(/--config (\S+)\/containerd\.toml/)?.[1]).filter((d): d is string => !!d);
  const shims = procs.filter((p) => p.name.startsWith("containerd-shim") && sockets.some((d) => p.args.includes(d)));
  return [...engine, ...containerd, ...shims].reduce((n, p) => n + p.ticks, 0) / hz;
}

/** Starts measuring; `stop()` gives this process's and the engines' CPU as % of one core over the wall time since. */
export function cpuMeter(): { stop(): { wallMs: number; serverPct: number; enginePct: number; serverCpuMs: number } } {
  const cpu0 = process.cpuUsage();
  const engine0 = engineCpuSeconds();
  const t0 = performance.now();
  return {
    stop() {
      const wallMs = performance.now() - t0;
      const used = process.cpuUsage(cpu0);
      const serverCpuMs = (used.user + used.system) / 1000;
      return { wallMs, serverCpuMs, serverPct: (serverCpuMs / wallMs) * 100, enginePct: (((engineCpuSeconds() - engine0) * 1000) / wallMs) * 100 };
    },
  };
}

/** "load 1.23 / 0.98 / 0.75 (2 cores)": the machine's load averages, printed beside figures. */
export function loadLine(): string {
  return `load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ")} (${os.cpus().length} cores)`;
}
