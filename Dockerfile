# syntax=docker/dockerfile:1
# hostops image: Node 24 LTS, compiled JavaScript, production dependencies only, unprivileged user,
# read-only root filesystem.
#   docker build -t hostops .
#   docker run --init --read-only --tmpfs /tmp -p 3000:3000 \
#     -e SLACK_BOT_TOKEN=… -e SLACK_SIGNING_SECRET=… -v hostops-data:/data hostops
# `--init` (compose: `init: true`) puts a tiny init as PID 1 that forwards SIGTERM to node and reaps
# zombies; node also handles SIGTERM itself, so `docker stop` is a clean shutdown either way.
# Pinned: bump the version (or pin the digest, node:24.x.y-bookworm-slim@sha256:…) deliberately.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# 1. Build: the full install, then typecheck, Biome and the compile. `npm run build` also makes the
#    embedded database's template (dist/pglite-template.tar.gz: initdb and migrations done once, here).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run check && npm run build && rm -f dist/.tsbuildinfo

# 2. Production dependencies only (no TypeScript, tsx, vitest, Biome or drizzle-kit). None of them
#    needs an install script: PGlite is WASM, postgres.js and the rest are plain JavaScript.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. Runtime: compiled code, migrations, the chart fonts (assets/) and production dependencies;
#    no sources, no tests.
#    Everything under /app belongs to root and is only read by the app user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    METRICS_PORT=9464 \
    METRICS_HOST=0.0.0.0 \
    HOSTOPS_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY assets ./assets
COPY bin ./bin
# The admin CLI on the PATH (`docker compose exec hostops hostops accounts list`). /data is for the
# embedded database only (no DATABASE_URL): mount a volume there; with Postgres nothing is written.
RUN chmod 0755 bin/hostops.js \
 && ln -s /app/bin/hostops.js /usr/local/bin/hostops \
 && mkdir -p /data && chown node:node /data
USER node
# 3000: Slack events, /healthz, /readyz. 9464: /metrics, for a scraper on the container network:
# publish it only to a trusted interface (compose binds it to 127.0.0.1).
EXPOSE 3000 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
