# modelwatch: a small image that runs the agent as a non-root user with a health check.
# Build: docker build -t modelwatch .
# Run:   docker run -p 4317:4317 -p 4318:4318 -p 9464:9464 -v modelwatch-data:/var/lib/modelwatch modelwatch

FROM node:20-bookworm-slim AS build
WORKDIR /src
# better-sqlite3 compiles from source (its prebuilt download is not used here).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    MODELWATCH_DATA_DIR=/var/lib/modelwatch \
    MODELWATCH_OTLP_GRPC_ENDPOINT=0.0.0.0:4317 \
    MODELWATCH_OTLP_HTTP_ENDPOINT=0.0.0.0:4318 \
    MODELWATCH_PROMETHEUS_ENDPOINT=0.0.0.0:9464 \
    MODELWATCH_ADMIN_ENDPOINT=0.0.0.0:13133
WORKDIR /opt/modelwatch
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY package.json ./
COPY config ./config
COPY pipelines ./pipelines
RUN mkdir -p /var/lib/modelwatch && chown node:node /var/lib/modelwatch
USER node
VOLUME ["/var/lib/modelwatch"]
EXPOSE 4317 4318 9464 13133
# No curl in the slim image: Node itself asks /healthz.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:13133/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains: give it time (docker stop -t 30).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--max-semi-space-size=8", "dist/src/cli/main.js"]
CMD ["run", "--config", "config/modelwatch.yaml"]
