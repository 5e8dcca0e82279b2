# syntax=docker/dockerfile:1.7
# Baton api: Litestar + Socket.IO + the built inbox/dashboard SPA and widget, on one port.
# Build from the repository root:  docker build -f docker/api.Dockerfile -t baton-api .

# --- front ends -------------------------------------------------------------------------
FROM node:22-bookworm-slim AS web
WORKDIR /src
COPY apps/widget/package.json apps/widget/package-lock.json apps/widget/
COPY apps/admin_web/package.json apps/admin_web/package-lock.json apps/admin_web/
RUN cd apps/widget && npm ci --no-audit --no-fund \
 && cd ../admin_web && npm ci --no-audit --no-fund
COPY apps/widget apps/widget
COPY apps/admin_web apps/admin_web
RUN cd apps/widget && npm run build && cd ../admin_web && npm run build

# --- Python dependencies ----------------------------------------------------------------
FROM python:3.11-slim-bookworm AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY pyproject.toml README.md ./
# the pinned dependencies first, in their own layer: a code change does not reinstall them
RUN python -c "import tomllib; print('\\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && python -m compileall -q /opt/venv/lib/python3.11/site-packages

# --- runtime ----------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS api
# marks the final image, so scripts/compose-test prunes superseded ones and keeps the
# build stages (npm, pip), which are the layer cache of the next build
LABEL org.baton.final="api"
# libuv1: socketify's native library needs it (BATON_SERVER=socketify)
RUN apt-get update \
 && apt-get install -y --no-install-recommends libuv1 tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 baton \
 && useradd --system --uid 10001 --gid baton --home-dir /app --shell /usr/sbin/nologin baton \
 && mkdir -p /data && chown baton:baton /data
# the dependencies' venv: an unchanged layer until pyproject.toml changes, so a code change
# copies and compiles only the code (it used to re-copy and recompile the whole venv)
COPY --from=python /opt/venv /opt/venv
COPY alembic.ini /app/alembic.ini
COPY migrations /app/migrations
COPY --from=web /src/apps/admin_web/dist /app/apps/admin_web/dist
COPY --from=web /src/apps/widget/dist /app/apps/widget/dist
# the code last: it changes most often, and nothing above is rebuilt for it
COPY pyproject.toml README.md /app/
COPY apps/api /app/apps/api
COPY apps/worker /app/apps/worker
# editable: the package keeps its place in /app (the front ends and migrations are found
# relative to the project root)
RUN cd /app \
 && PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 /opt/venv/bin/pip install --no-deps -e . \
 && /opt/venv/bin/python -m compileall -q apps
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    BATON_DATA_DIR=/data \
    BATON_HOST=0.0.0.0 \
    BATON_PORT=8000 \
    BATON_SERVER=granian
WORKDIR /app
USER baton:baton
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('BATON_PORT', '8000')}/health\", timeout=2)"]
ENTRYPOINT ["tini", "--"]
CMD ["baton", "serve"]
