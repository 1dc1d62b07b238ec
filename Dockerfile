# The simulator as a container (docs/container.md). Build it after building the package:
#
#   npm ci && npm run build
#   docker build -t digitalpost-simulator .
#   docker run --rm -p 4500:4500 -p 4522:4522 digitalpost-simulator
#
# BASE_IMAGE: an image with Node 22 or later and npm on the PATH and a user `node` (uid 1000), as the
# official node image has. Only the exec form is used below, so the base needs no shell.
ARG BASE_IMAGE=node:24-slim

# The production dependencies, installed as package-lock.json pins them. No install scripts: the one
# that has any (ssh2) only tries to build optional native add-ons the simulator does not use. Then the
# packages built for other platforms go (the lock makes npm install every @napi-rs/lzma binary).
FROM ${BASE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN ["npm", "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
COPY scripts/prune-foreign-platforms.mjs /tmp/
RUN ["node", "/tmp/prune-foreign-platforms.mjs", "node_modules"]

FROM ${BASE_IMAGE}
ENV NODE_ENV=production \
    DIGITALPOST_SIM_HOST=0.0.0.0 \
    DIGITALPOST_SIM_ALLOWED_HOSTS=single-label
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY dist ./dist
# The data folder belongs to the user the simulator runs as, so that a volume mounted there is
# writable by it (Docker gives a new volume the folder's owner and mode).
RUN ["node", "-e", "const [, , uid, gid] = fs.readFileSync('/etc/passwd', 'utf8').split('\\n').find((line) => line.startsWith('node:')).split(':'); fs.mkdirSync('/data', { mode: 0o700 }); fs.chownSync('/data', Number(uid), Number(gid));"]
USER node
VOLUME /data
# NgDP's API, the control API and the status page; SFTP.
EXPOSE 4500 4522
HEALTHCHECK --interval=1s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.DIGITALPOST_SIM_PORT || 4500}/simulator/v1/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Flags after the image name go to `sim start`; every flag also has a DIGITALPOST_SIM_* variable.
ENTRYPOINT ["node", "/app/dist/cli.js", "sim", "start"]
