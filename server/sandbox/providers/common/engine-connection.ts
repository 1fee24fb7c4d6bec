/**
 * How to reach a Docker engine: its endpoint (DOCKER_HOST's forms) turned
 * into dockerode options. The docker provider connects to each DOCKER_HOSTS
 * entry this way, the kind provider to the engine its clusters run on.
 */
import fs from "node:fs";
import path from "node:path";
import type Docker from "dockerode";

/** Where an engine listens (a DOCKER_HOSTS entry, docker/hosts.ts, has these and more). */
export interface EngineEndpoint {
  /** unix:///path, tcp://host:port, http(s)://host:port. */
  endpoint: string;
  /** Directory with ca.pem, cert.pem and key.pem for a TLS endpoint. */
  tlsDir?: string;
}

/** dockerode options for a host (reads the TLS files when configured). */
export function dockerodeOptions(host: EngineEndpoint, readFile: (file: string) => string = (file) => fs.readFileSync(file, "utf8")): Docker.DockerOptions {
  if (host.endpoint.startsWith("unix://")) return { socketPath: host.endpoint.slice("unix://".length) };
  const url = new URL(host.endpoint.replace(/^tcp:/, host.tlsDir ? "https:" : "http:"));
  const tls = url.protocol === "https:";
  const options: Docker.DockerOptions = {
    protocol: tls ? "https" : "http",
    host: url.hostname,
    port: Number(url.port || (tls ? 2376 : 2375)),
  };
  if (host.tlsDir) {
    options.ca = readFile(path.join(host.tlsDir, "ca.pem"));
    options.cert = readFile(path.join(host.tlsDir, "cert.pem"));
    options.key = readFile(path.join(host.tlsDir, "key.pem"));
  }
  return options;
}
