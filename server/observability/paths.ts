/** Endpoints our HTTP server answers itself, before Next (server/observability/endpoints.ts). */
export const OPS_PATHS = ["/api/live", "/api/ready", "/api/metrics"] as const;

/** Probes and health: kept out of the access log when they succeed, counted as area "ops". */
export const PROBE_PATHS: readonly string[] = [...OPS_PATHS, "/api/health"];
