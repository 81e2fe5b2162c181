# mapproxy-ts in a container: `mapproxy-util serve` as the entry point, non-root, the
# configuration and the cache as volumes. Build: docker build -t mapproxy-ts .
# Run:   docker run -p 8080:8080 -v $PWD/config:/etc/mapproxy -v mapproxy-cache:/var/cache/mapproxy mapproxy-ts

# 1. build: compilers for better-sqlite3, dev dependencies for tsc; then only runtime dependencies
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY templates ./templates
COPY schema ./schema
COPY scripts/bundle.ts ./scripts/
RUN npm rebuild better-sqlite3 && npm run build && npm prune --omit=dev

# 2. runtime: the built toolkit on a slim base
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/templates ./templates
COPY --from=build /app/schema ./schema
RUN mkdir -p /etc/mapproxy /var/cache/mapproxy && chown node:node /etc/mapproxy /var/cache/mapproxy \
  && ln -s /app/bin/run.js /usr/local/bin/mapproxy-util && ln -s /app/bin/seed.js /usr/local/bin/mapproxy-seed
USER node
WORKDIR /etc/mapproxy
VOLUME ["/etc/mapproxy", "/var/cache/mapproxy"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "/app/bin/run.js", "serve"]
CMD ["/etc/mapproxy/mapproxy.yaml", "-w", "2", "-b", "0.0.0.0:8080"]
