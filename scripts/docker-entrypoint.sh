#!/bin/sh
# The image's entrypoint: the first argument picks what runs.
#   ingress | worker | admin | fake-square   an app
#   migrate [--rolled-back <name>]           create/migrate the database, then exit
#   events …  /  square …                    the CLIs (npm run events / npm run square)
# Anything else runs as a command.
set -e
case "$1" in
  ingress|worker|admin|fake-square)
    app="$1"; shift
    exec node "dist/apps/$app/src/main.js" "$@" ;;
  migrate)
    shift
    exec node dist/libs/database/src/migrations/migrate.main.js "$@" ;;
  events|square)
    cli="$1"; shift
    exec node "dist/apps/cli/src/$cli.main.js" "$@" ;;
  *)
    exec "$@" ;;
esac
