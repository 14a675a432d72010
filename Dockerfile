# syntax=docker/dockerfile:1
# The ecs-reconciler controller image. Built and run as described in docs/operations.md.
#
#   docker build -t ecs-reconciler .
#   docker run --read-only -v "$PWD/desired-state:/git/current:ro" ecs-reconciler
#
# Two stages: the build stage compiles TypeScript and prunes dev dependencies; the runtime stage holds only what
# `node dist/cli/main.js` needs (dist/, schema/, package.json, production node_modules). The runtime writes
# nothing to its filesystem, so it runs with a read-only root (ECS readonlyRootFilesystem, docker --read-only).

# Pinned by digest, so a rebuild gets the same base until someone moves the pin on purpose. This build had no
# network: the digest is what node:22-bookworm-slim pointed to in two independent public Dockerfiles found by
# search, NOT verified against Docker Hub here. Verify it before relying on it, and to move the pin:
#   docker buildx imagetools inspect node:22-bookworm-slim   # the "Digest:" of the multi-platform index
ARG NODE_IMAGE=node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Dependencies first, so a source change does not invalidate the npm ci layer. --ignore-scripts: the project's
# `prepare` script builds, and the sources are not copied yet; no production dependency needs an install script.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schema ./schema
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: it forwards SIGTERM from `docker stop` / ECS StopTask to node and reaps zombies. It is in the
# image rather than left to the runtime (`docker run --init`, ECS linuxParameters.initProcessEnabled) so that the
# image behaves the same under docker, ECS and Kubernetes, whatever the task definition says.
# The controller runs as uid/gid 10001, not root and not the base image's `node` user (uid 1000, which often
# collides with host users on bind mounts).
# tini pinned to bookworm's version (apt-cache policy tini): a base image update cannot change PID 1 unnoticed.
ARG TINI_VERSION=0.19.0-1+b3
RUN apt-get update \
    && apt-get install -y --no-install-recommends "tini=${TINI_VERSION}" \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 ecs-reconciler \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ecs-reconciler
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/schema ./schema

# The git-sync link the template mounts (deploy/cloudformation.yaml); listen on every interface so Prometheus can
# scrape /metrics from outside the container (the security group decides who may).
# NODE_OPTIONS: V8 sizes its heap from the memory it is shown, not from what the controller needs, and lets garbage
# pile up to several times the live heap before a full collection; these limits keep the controller's memory near its live heap (docs/performance.md,
# "Memory"). The same value is in deploy/cloudformation.yaml and in the benchmark (bench/lib/options.ts).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=4" \
    ECS_RECONCILER_DIR=/git/current \
    ECS_RECONCILER_LISTEN=0.0.0.0:9400
USER 10001:10001
EXPOSE 9400

# No curl in a slim image: node's own fetch asks /healthz on the listen port, with 0.0.0.0/[::]/empty host
# replaced by 127.0.0.1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "const a=(process.env.ECS_RECONCILER_LISTEN||'127.0.0.1:9400').replace(/^(0\\.0\\.0\\.0|\\[::\\]|)(?=:)/,'127.0.0.1');fetch('http://'+a+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cli/main.js"]
CMD ["run"]
