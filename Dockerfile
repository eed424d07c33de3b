# POS backend image: one image, three roles.
#   api      node dist/src/main.js   (default CMD, HTTP on $PORT, default 3000)
#   worker   node dist/src/worker.js (BullMQ processors, no HTTP: disable the HEALTHCHECK)
#   migrate  node ./node_modules/typeorm/cli.js -d dist/ormconfig.js migration:run
#
# Build: docker build -t pos-backend .

ARG NODE_IMAGE=node:20.20-bookworm-slim

# ---------------------------------------------------------------------------
# base: Node 20 with npm 11. The image's bundled npm 10 ignores package.json
# "allowScripts" and would run every dependency install script; npm 11 runs only
# the approved ones, exactly as on the developers' machines and in CI.
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
ARG NPM_VERSION=11.19.1
RUN npm install --global "npm@${NPM_VERSION}" \
    && npm cache clean --force
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# ---------------------------------------------------------------------------
# build: all dependencies, compile TypeScript to dist/
# ---------------------------------------------------------------------------
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build \
    && test -f dist/src/main.js \
    && test -f dist/src/worker.js \
    && test -f dist/ormconfig.js

# ---------------------------------------------------------------------------
# prod-deps: production dependencies only
# ---------------------------------------------------------------------------
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev \
    && npm cache clean --force

# ---------------------------------------------------------------------------
# runtime: plain Node (no npm needed), non-root, read-only application files
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app

# Files stay owned by root: the `node` user can read and run them, not change them.
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

USER node
EXPOSE 3000

# No curl in the slim image: probe /ready with Node's built-in fetch (the database and shutdown; not
# Redis, which selling does not need, so a Redis blip does not restart every API container).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"

CMD ["node", "dist/src/main.js"]
