# Folio on scratch: no base image to download, no shell, no package manager.
# Build the static binary first, then the image:
#
#   make build && docker build -t folio .
#   docker run -p 8080:8080 -v folio-data:/data folio index /data/articles
#   docker run -p 8080:8080 -v folio-data:/data folio
#
# The binary is pure Go (CGO_ENABLED=0), so it needs nothing from the image;
# it runs as an unprivileged numeric user (no /etc/passwd on scratch).
FROM scratch
COPY bin/folio /folio
USER 65532:65532
ENV FOLIO_INDEX_PATH=/data/folio.bleve \
    FOLIO_INDEX_SOURCES= \
    FOLIO_SERVER_ADDR=:8080 \
    FOLIO_LOG_FORMAT=json
VOLUME ["/data"]
WORKDIR /data
EXPOSE 8080
ENTRYPOINT ["/folio"]
CMD ["serve"]
