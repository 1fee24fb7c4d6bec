# The Runtime Labs platform (web app, API, terminal gateway) as an image.
#
#   docker build -t runtime-labs/app .
#   docker compose up            (docker-compose.yml builds this for you)
#
# NODE_IMAGE is the base of every stage. Normal machines pull the official
# image; machines without a registry pass a locally seeded stand-in
# (scripts/seed-local-images.sh, docker-compose.local.yml).
# Sandbox nodes are a different image (images/node, `npm run images`).
ARG NODE_IMAGE=node:20-bookworm-slim

# --- dependencies: changes only with package*.json and the Prisma schema ------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma/ ./prisma/
# postinstall generates the Prisma client into server/generated.
RUN npm ci

# --- production dependencies only ------------------------------------------------
# Next's compiler (@next/swc-*, about 100 MB) is loaded by `next build` and the
# dev server, never by the production server (next/dist/server/config.js).
FROM deps AS prod-deps
RUN npm prune --omit=dev && rm -rf node_modules/@next/swc-*

# --- the Next.js production build ------------------------------------------------
FROM deps AS build
COPY . .
RUN npx next build && rm -rf .next/cache

# --- runtime -----------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# HOST=0.0.0.0 inside the container: who can reach it is decided by the
# port mapping (docker-compose.yml publishes on loopback by default).
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/var/lib/runtime-labs \
    LABS_DIR=/app/labs
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/next.config.js /app/tsconfig.json ./
COPY --from=build /app/.next ./.next
COPY --from=build /app/server ./server
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/labs ./labs
COPY --from=build /app/bin ./bin
COPY --from=build /app/scripts ./scripts
# Code stays root-owned and read-only to the app; only its data directory and
# Next's runtime cache are writable by the unprivileged user.
RUN mkdir -p "$DATA_DIR" .next/cache \
 && chown node:node "$DATA_DIR" .next/cache \
 && ln -s /app/bin/labs.mjs /usr/local/bin/labs
# Unprivileged by default. Sandboxes need the Docker socket, and tamper-proof
# checks and the cgroup fence need root with the host's /proc and cgroups:
# docker-compose.yml runs the app as root for that (docs/deploy.md).
USER node
EXPOSE 3000
# node itself (not npx/tsx's CLI) is PID 1's child under `init: true`, so
# SIGTERM reaches server/main.ts's graceful shutdown directly.
CMD ["node", "--import", "tsx", "server/main.ts"]
