# syntax=docker/dockerfile:1
# hostops image: Node 20, production dependencies only, runs as the unprivileged `node` user.
# There is no build step: tsx (a runtime dependency) loads the TypeScript sources.
#   docker build -t hostops .
#   docker run -p 3000:3000 -e SLACK_BOT_TOKEN=… -e SLACK_SIGNING_SECRET=… -v hostops-data:/data hostops
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Dependencies, without devDependencies (vitest, biome, drizzle-kit, typescript stay out).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs an install script (esbuild's binary comes as an optional dependency, PGlite is WASM).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 2. Runtime: the sources, the migrations and the dependencies; code owned by root, read-only to the app.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOSTOPS_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY migrations ./migrations
COPY slack ./slack
COPY src ./src
# The admin CLI on the PATH (`docker compose exec hostops hostops accounts list`); the embedded
# database's folder (used only without DATABASE_URL) belongs to the app user.
RUN chmod +x bin/hostops.js \
 && ln -s /app/bin/hostops.js /usr/local/bin/hostops \
 && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# /healthz answers while the process is up (Slack's HTTP port, or a server of its own otherwise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1's child under `init: true` (compose) and handles SIGTERM: a clean shutdown.
CMD ["node", "--import", "tsx", "src/main.ts"]
