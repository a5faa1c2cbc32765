#!/bin/sh
# The image's entrypoint: the first argument picks what runs.
#   ingress | worker | admin | fake-square   an app
#   migrate [--rolled-back <name>]           create/migrate the database, then exit
#   events …  /  square …                    the CLIs (npm run events / npm run square)
# Anything else runs as a command.
set -e

# A heap cap makes V8 collect garbage before the process grows: under the benchmark's load, peak
# RSS falls from 210-220 to ~130 MiB (ingress) and from ~360 to ~225 MiB (worker), for up to ~15 %
# of throughput (docs/BENCHMARKS.md). Set NODE_OPTIONS to choose otherwise.
APP_NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"

case "$1" in
  ingress|worker|admin|fake-square)
    app="$1"; shift
    export NODE_OPTIONS="${NODE_OPTIONS:-$APP_NODE_OPTIONS}"
    exec node "dist/apps/$app/src/main.js" "$@" ;;
  migrate)
    shift
    exec node dist/apps/cli/src/migrate.main.js "$@" ;;
  events|square)
    cli="$1"; shift
    exec node "dist/apps/cli/src/$cli.main.js" "$@" ;;
  *)
    exec "$@" ;;
esac
