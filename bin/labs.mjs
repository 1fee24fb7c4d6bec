#!/usr/bin/env node
// The `labs` command. Runs the TypeScript CLI through tsx, so there is no
// separate build step (npx labs ... from the repository).
import { tsImport } from "tsx/esm/api";

await tsImport("../server/cli/main.ts", import.meta.url);
