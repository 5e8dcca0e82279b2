# The Debian root made by debootstrap (imported as baton-standin/debian:<suite>), trusting
# the certificate authorities this machine trusts: builds inside it reach the package
# registries through the same network path as the host.
ARG SUITE
FROM baton-standin/rootfs:${SUITE}
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null
ENV LANG=C.UTF-8 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["bash"]
