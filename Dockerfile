# The campaign worker and CLI image. Not built or run on the project's own machines (no Docker engine there).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bin ./bin
COPY demo ./demo
# The workflow bundle is built once here, as `npm run build` does, so that workers do not run webpack at start-up.
RUN npx tsc -p tsconfig.json && node dist/scripts/bundleWorkflows.js && npm prune --omit=dev
ENV NODE_ENV=production
# glibc's per-thread malloc arenas (the SDK's Rust core runs many threads) otherwise add ~130 MB of resident memory.
ENV MALLOC_ARENA_MAX=2
# --heap-growing-percent: see WORKER_NODE_FLAGS in src/temporal/tuning.ts.
CMD ["node", "--heap-growing-percent=50", "dist/src/worker.js"]
