#!/bin/sh
# As upstream: the data folder belongs to redis, and the server runs as redis.
set -eu
chown redis:redis /data
exec setpriv --reuid=redis --regid=redis --init-groups "$@"
