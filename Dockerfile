# syntax=docker/dockerfile:1
# Images of Live Tables, one per target:
#   docker build --target dataplane -t live-tables-dataplane:0.1.0 .
#   docker build --target operator  -t live-tables-operator:0.1.0 .
# Both run as uid 10001 with nothing to write outside /tmp, so they run with a read-only root
# filesystem (the chart and the operator mount an emptyDir at /tmp). test/integration/chart/
# dockerfile.test.ts checks this file statically.
ARG NODE_IMAGE=node:20-bookworm-slim

# Compiles the TypeScript of dataplane/src and operator/src to dist/ (tsconfig.build.json).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY dataplane ./dataplane
COPY operator ./operator
RUN npm run build

# The production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# What both images share: Node, the compiled code, the production node_modules, a non-root user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOME=/tmp
WORKDIR /app
# package.json says "type": "module", which the compiled ES modules need.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 10001:10001

# The tenant service (dataplane/src/main.ts); the operator runs it in tenant mode.
FROM runtime AS dataplane
ENV PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/dataplane/src/main.js"]

# The Kubernetes operator (operator/src/main.ts): metrics and health on METRICS_PORT.
FROM runtime AS operator
EXPOSE 8081
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.METRICS_PORT || 8081) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/operator/src/main.js"]
