#!/usr/bin/env bash
# Makes a throw-away CA and the certificates of the Temporal server's mTLS in DIR (file names: TLS_FILES in
# dev/topology.ts): the server's (names "temporal", "localhost" and 127.0.0.1; for the server's own services and its
# frontend) and one client's (our workers, service and CLI, the temporal CLI, Temporal Web). For trying mTLS and for the
# image check; production certificates come from the operator's own CA (docs/production.md).
set -euo pipefail
dir="${1:?usage: scripts/temporal-certs.sh DIR}"
days="${CERT_DAYS:-7}"
mkdir -p "$dir"
cd "$dir"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca-key.pem
openssl req -x509 -new -key ca-key.pem -out ca.pem -days "$days" -subj "/CN=campaign-runner temporal CA" 2>/dev/null
sign() { # name subject extensions
  key "$1-key.pem"
  openssl req -new -key "$1-key.pem" -out "$1.csr" -subj "$2" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out "$1.pem" -days "$days" \
    -extfile <(printf '%s\n' "$3") 2>/dev/null
  rm -f "$1.csr"
}
# The server's certificate is also the client certificate its services present to each other.
sign server "/CN=temporal" "subjectAltName=DNS:temporal,DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth,clientAuth"
sign client "/CN=campaign-runner" "extendedKeyUsage=clientAuth"
rm -f ca-key.pem ca.srl
echo "$dir"
