# healthcheckd in a container: the single executable under tini.
#
#   npm ci && npm run build:sea          # build/sea/healthcheckd-linux-<arch> + the spawn helper
#   docker build -t healthcheckd .
#   docker run --rm -p 9999:9999 healthcheckd
#
# tini is PID 1: it forwards SIGTERM/SIGINT/SIGHUP to healthcheckd and reaps every orphan a
# check leaves behind (a daemonising helper, a `cmd &` whose parent exited). Without an init
# those orphans would be reparented to healthcheckd, which cannot reap processes it did not
# start, and pile up as zombies. The executable carries Node, so the image needs none; the spawn
# helper goes beside it, where the executable looks for it first.
FROM debian:bookworm-slim

ARG ARCH=x64
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/healthcheckd --create-home \
      --shell /usr/sbin/nologin healthcheckd \
 && install -d -o healthcheckd -g healthcheckd /run/healthcheckd \
 && install -d -o root -g healthcheckd -m 0755 /var/spool/healthcheckd

COPY build/sea/healthcheckd-linux-${ARCH} /usr/bin/healthcheckd
COPY build/sea/healthcheckd-spawn-helper /usr/bin/healthcheckd-spawn-helper
COPY packaging/container.config /etc/healthcheckd.config

USER healthcheckd
EXPOSE 9999
# The container's own health: the daemon answering its aggregate.
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS -o /dev/null http://127.0.0.1:9999/ || exit 1
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/bin/healthcheckd"]
CMD ["run", "/etc/healthcheckd.config"]
