# One image for every app; the first argument picks what runs (scripts/docker-entrypoint.sh):
#   docker run IMAGE ingress | worker | admin | migrate | events … | square …
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY team-handlers ./team-handlers
# Build, then keep production dependencies only (the generated Prisma client is compiled into dist/).
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/prisma/migrations ./prisma/migrations
COPY --from=build --chown=root:root /app/apps/cli/samples ./apps/cli/samples
COPY --from=build --chown=root:root /app/scripts/docker-entrypoint.sh /app/scripts/healthcheck.mjs ./scripts/
# The code is root-owned and read-only to the process, which runs as the unprivileged node user.
USER node
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["ingress"]
