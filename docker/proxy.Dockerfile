# The reverse proxy: Debian's nginx with the headers-more module (to name no server software),
# the same packages `make soak` measures, configured by docker/nginx.conf.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends nginx-light libnginx-mod-http-headers-more-filter \
    && rm -rf /var/lib/apt/lists/*
COPY docker/nginx.conf /etc/nginx/nginx.conf
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
