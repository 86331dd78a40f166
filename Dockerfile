# syntax=docker/dockerfile:1
# nomad-patch: the GitHub App with its own Kubo 0.43.1, built from source with Go.

FROM golang:1.26-bookworm AS kubo
WORKDIR /src/tools/kubo
COPY tools/kubo/go.mod tools/kubo/go.sum ./
RUN --mount=type=cache,target=/root/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    GOBIN=/out CGO_ENABLED=0 go install github.com/ipfs/kubo/cmd/ipfs

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    KUBO_BIN=/usr/local/bin/ipfs \
    NOMAD_PATCH_DATA_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends tini curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home nomad
COPY --from=kubo /out/ipfs /usr/local/bin/ipfs
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/lib ./lib
COPY package.json app.yml ./
USER nomad
VOLUME ["/data"]
EXPOSE 3000 4001/tcp 4001/udp
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD curl -fsS "http://127.0.0.1:${PORT}/ping" || exit 1
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "lib/app/main.js"]
