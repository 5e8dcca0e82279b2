# syntax=docker/dockerfile:1.7
# Baton worker: arq jobs (exports, email, webhooks, rollups, sweeps). No front ends.
# Build from the repository root:  docker build -f docker/worker.Dockerfile -t baton-worker .

FROM python:3.11-slim-bookworm AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY pyproject.toml README.md ./
# the pinned dependencies first, in their own layer: a code change does not reinstall them
RUN python -c "import tomllib; print('\\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt
COPY apps/api apps/api
COPY apps/worker apps/worker
RUN pip install --no-deps -e . && python -m compileall -q apps /opt/venv/lib/python3.11/site-packages

FROM python:3.11-slim-bookworm AS worker
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 baton \
 && useradd --system --uid 10001 --gid baton --home-dir /app --shell /usr/sbin/nologin baton \
 && mkdir -p /data && chown baton:baton /data
COPY --from=python /opt/venv /opt/venv
COPY --from=python /app /app
COPY alembic.ini /app/alembic.ini
COPY migrations /app/migrations
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 BATON_DATA_DIR=/data
WORKDIR /app
USER baton:baton
ENTRYPOINT ["tini", "--"]
CMD ["baton", "worker"]
