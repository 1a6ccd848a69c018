# syntax=docker/dockerfile:1
# check=error=true
#
# ImageApp server image: docker build -t imageapp .
# Stages: Go (templ freshness check + static build), Node (React client),
# then only the binary and the client's build on distroless, as nonroot.

FROM golang:1.26-bookworm AS server
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY app/ app/
COPY views/ views/
COPY static/ static/
# The generated templ code (views/*_templ.go) and the compiled CSS are
# committed; -check refuses to build from stale generated code.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go tool templ generate -check \
    && go build -trimpath -ldflags="-s -w" -o /out/imageapp ./app \
    && mkdir -p /out/data

FROM node:20-bookworm-slim AS client
WORKDIR /src/react
COPY react/package.json react/package-lock.json react/.npmrc ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY react/ ./
RUN npm run build

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=server /out/imageapp /imageapp
COPY --from=client /src/react/dist /app/react/dist
COPY --from=server --chown=65532:65532 /out/data /data
ENV IMAGEAPP_ADDR=:3000 \
    IMAGEAPP_DATA_DIR=/data \
    IMAGEAPP_REACT_DIR=/app/react/dist
USER nonroot:nonroot
VOLUME ["/data"]
EXPOSE 3000
# No shell or curl in the image: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["/imageapp", "healthcheck"]
ENTRYPOINT ["/imageapp"]
