/** @type {import('next').NextConfig} */
module.exports = {
  // Native or process-bound packages stay outside the bundle: the PGlite
  // handle, pg pool and Docker client are created once by server/main.ts and
  // shared with route handlers through globalThis (see server/services.ts).
  serverExternalPackages: ["@electric-sql/pglite", "pg", "dockerode", "docker-modem", "ssh2", "cpu-features", "ws"],
  poweredByHeader: false,
  reactStrictMode: true,
};
