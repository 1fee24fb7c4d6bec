import path from "node:path";
import { describe, expect, it } from "vitest";
import { dockerodeOptions } from "./engine-connection";

describe("engine connection", () => {
  it("builds dockerode options: socket path, plain tcp, tcp with TLS files", () => {
    expect(dockerodeOptions({ endpoint: "unix:///run/b.sock" })).toEqual({ socketPath: "/run/b.sock" });
    expect(dockerodeOptions({ endpoint: "tcp://10.0.0.2" })).toEqual({ protocol: "http", host: "10.0.0.2", port: 2375 });
    const read = (f: string) => `contents of ${path.basename(f)}`;
    expect(dockerodeOptions({ endpoint: "tcp://c.example:3376", tlsDir: "/certs" }, read)).toEqual({
      protocol: "https",
      host: "c.example",
      port: 3376,
      ca: "contents of ca.pem",
      cert: "contents of cert.pem",
      key: "contents of key.pem",
    });
  });
});
