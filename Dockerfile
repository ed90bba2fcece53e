# One image for the worker (the default command), the HTTP service (`node bin/campaign-runner.js serve`) and the
# migration job (`node bin/campaign-runner.js migrate`). scripts/image-check.sh builds it with buildah and runs all three
# against the native PostgreSQL topology; docs/production.md says how to deploy it.

# Build stage: dev dependencies, the TypeScript compile of src/ (what production runs, without the local stack and the
# SendGrid fake: tsconfig.product.json), and the workflow bundle, built once here as `npm run build` does, so that
# workers do not run webpack at start-up.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.product.json ./
COPY src ./src
COPY scripts/bundleWorkflows.ts ./scripts/
# The local tools are not in the build context (.dockerignore): a production module importing them fails to compile.
RUN npx tsc -p tsconfig.product.json && node dist/scripts/bundleWorkflows.js

# Runtime stage: production dependencies and the built output only.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
# glibc's per-thread malloc arenas (the SDK's Rust core runs many threads) otherwise add ~130 MB of resident memory.
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
# The SDK's native core ships prebuilt for five platforms; this image runs one (saves ~120 MB). Then no npm cache.
RUN npm ci --omit=dev --no-audit --no-fund \
  && bridge=node_modules/@temporalio/core-bridge \
  && keep="$(node -p "require('./$bridge/common.js').getPrebuiltTargetName()")" \
  && test -f "$bridge/releases/$keep/index.node" \
  && find "$bridge/releases" -mindepth 1 -maxdepth 1 ! -name "$keep" -exec rm -rf {} + \
  && rm -rf "$bridge/sdk-core" "$(npm config get cache)"
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/workflow-bundle.js /app/dist/workflow-bundle.json ./dist/
COPY bin ./bin
# A user of its own, by number, so that an orchestrator can check it is not root (Kubernetes' runAsNonRoot). The files
# stay root's: the processes cannot change their own code.
RUN groupadd --gid 10001 campaign-runner \
  && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin campaign-runner
USER 10001:10001
# The service's readiness (/readyz: the database answers) on SERVICE_HOST:SERVICE_PORT. Meaningful for the service
# only: compose disables it for the worker and the migration job.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["node", "dist/src/service/healthcheck.js"]
# --heap-growing-percent: see WORKER_NODE_FLAGS in src/temporal/tuning.ts.
CMD ["node", "--heap-growing-percent=50", "dist/src/worker.js"]
