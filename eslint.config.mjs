import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", ".data/", "server/generated/", "test-results/", "playwright-report/", "next-env.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly", __dirname: "readonly", process: "readonly", console: "readonly" } },
  },
  { files: ["**/*.mjs"], languageOptions: { globals: { process: "readonly", console: "readonly" } } },
  {
    files: ["**/*.{ts,tsx,mts}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": "off",
    },
  },
  {
    // Layering: services and domain code take the caller from server/auth/,
    // never from the API layer; only the API edge (server/trpc) and the
    // composition root know tRPC. test/architecture.test.ts checks the
    // import graph (no cycles) besides.
    files: ["server/**/*.ts"],
    ignores: ["server/trpc/**", "server/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/trpc/*", "**/trpc"], message: "Domain code must not import the API layer (server/trpc); the caller type is in server/auth/principal.ts." }] },
      ],
    },
  },
  {
    // Providers receive validated configuration as options (server/env.ts,
    // built into options by services.ts and providers/docker/from-env.ts),
    // never process.env: a default read there would skip env.ts's validation.
    // Tests and their helpers read their environment freely. sandbox-engine.ts
    // is start-up, not a provider: it points this process's DOCKER_HOST at the
    // sandbox engine before the configuration is parsed (server/main.ts, CLI).
    files: ["server/sandbox/providers/**/*.ts"],
    ignores: ["**/*.test.ts", "**/test-support.ts", "**/test-fixtures.ts", "server/sandbox/providers/docker/sandbox-engine.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Providers take configuration as options built from server/env.ts (services.ts, providers/docker/from-env.ts), not from process.env." },
      ],
    },
  },
  {
    // Layering (style.md 12): the UI may import server types and the shared
    // protocol, never server internals at runtime.
    files: ["app/**/*.{ts,tsx}"],
    ignores: ["app/api/**", "app/_trpc/server.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/server/*", "!@/server/terminal", "@/server/terminal/*", "!@/server/terminal/protocol", "../server/*", "../../server/*"],
              allowTypeImports: true,
              message: "UI code may import server types only (import type ...); data comes through tRPC.",
            },
          ],
        },
      ],
    },
  },
);
