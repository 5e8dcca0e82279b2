# Stands in for postgres:17-alpine: Debian trixie's PostgreSQL 17 behind an entrypoint that
# honours the upstream image's POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB and PGDATA.
FROM baton-standin/debian:trixie
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-17 \
 && rm -rf /var/lib/apt/lists/* /var/lib/postgresql/17 \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/17/bin:$PATH PGDATA=/var/lib/postgresql/data
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
