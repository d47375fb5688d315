# LeadBridge: one image for `serve`, `worker`, `start` and the one-shot commands.
# Build: docker build -t leadbridge .   Run: see compose.yaml and the README's "Deployment" section.

# 1. Production dependencies only (no dev tools in the final image).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 2. Compile the TypeScript sources to dist/ (what the end-to-end tests run).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY connectors ./connectors
COPY jobs ./jobs
RUN npm run build

# 3. The runtime: compiled code, production dependencies, a non-root user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    LEADBRIDGE_FROM_DIST=1 \
    LEADBRIDGE_HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    LEADBRIDGE_CONFIG=/config/leadbridge.config.yaml
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json leadbridge.config.example.yaml ./
COPY --chown=root:root bin ./bin
# The image's own `node` user (uid 1000); the code stays owned by root, so it cannot be changed at run time.
USER node
EXPOSE 3000
# Liveness of `serve`/`start` (compose turns it off for workers, which have no HTTP port).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/leadbridge.js"]
CMD ["serve"]
