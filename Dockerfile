# syntax=docker/dockerfile:1
# Multi-stage: dependencies are installed (and native addons built) in a full image, then copied
# into a slim runtime that runs as the unprivileged `node` user. Node 22 runs the server's TypeScript
# sources directly; only the browser console is built, in its own stage, where dev dependencies exist.

FROM node:22-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# postinstall applies patches/ (a postgres.js fix for lost connections) with patch-package.
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:22-bookworm AS console
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY codegen.ts ./
COPY schema ./schema
COPY scripts ./scripts
COPY src/console ./src/console
# Vite writes src/console/dist; the server serves it at /.
RUN node scripts/build-console.ts

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY --from=console /app/src/console/dist ./src/console/dist
COPY drizzle ./drizzle
COPY schema ./schema
COPY scripts ./scripts
USER node
EXPOSE 4000
# The API by default; the worker is the same image with `--role=worker`.
CMD ["node", "src/main.ts", "--role=api"]
