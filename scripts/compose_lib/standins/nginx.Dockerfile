# Stands in for nginx:1.27-alpine: Debian bookworm's nginx in the foreground.
FROM baton-standin/debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/*
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
