# Stands in for python:3.11-slim-bookworm: Debian bookworm's Python 3.11 with venv and pip,
# `python` on the PATH as in the upstream image.
FROM baton-standin/debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/bin/python3 /usr/local/bin/python
CMD ["python3"]
