# Stands in for node:22-bookworm-slim: Node.js and npm from Debian trixie (20.19, which the
# front ends' Vite supports; bookworm's 18 is too old).
FROM baton-standin/debian:trixie
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
CMD ["node"]
