#!/usr/bin/env bash
# Starts kauthd on its embedded default: a dev CA, a serving certificate for localhost, an admin
# client certificate and a demo token file, generated once into a state folder (default
# .kauth-dev/, override with KAUTH_STATE_DIR), then kauthd on https://127.0.0.1:6443 (override
# with KAUTH_PORT). Prints curl and kubectl lines that work against it. Extra arguments go to
# kauthd. Ctrl-C stops it gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target kauthd

state=${KAUTH_STATE_DIR:-$root/.kauth-dev}
port=${KAUTH_PORT:-6443}
mkdir -p "$state"
chmod 700 "$state"
cd "$state"

if [[ ! -f ca.crt ]]; then
  echo "Generating the dev PKI and demo tokens in $state"
  openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
  openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=kauth-dev-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.crt
  # Serving certificate for localhost.
  openssl ecparam -name prime256v1 -genkey -noout -out serving.key 2>/dev/null
  openssl req -new -key serving.key -subj "/CN=localhost" -out serving.csr
  openssl x509 -req -in serving.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 825 \
    -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature') \
    -out serving.crt 2>/dev/null
  # Admin client certificate: CN is the user, O the groups (R5.6).
  openssl ecparam -name prime256v1 -genkey -noout -out admin.key 2>/dev/null
  openssl req -new -key admin.key -subj "/O=system:masters/CN=kauth-admin" -out admin.csr
  openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 825 \
    -extfile <(printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature') \
    -out admin.crt 2>/dev/null
  rm -f ./*.csr ca.srl
  # Demo tokens (the --token-auth-file CSV format, R2): random, made once.
  alice=$(openssl rand -hex 16)
  bob=$(openssl rand -hex 16)
  {
    echo "$alice,alice,1001,\"dev,ops\""
    echo "$bob,bob,1002,system:masters"
  } >tokens.csv
  chmod 600 ./*.key tokens.csv
  for user in alice admin; do
    if [[ $user == alice ]]; then
      cred="    token: $alice"
    else
      cred="    client-certificate: $state/admin.crt
    client-key: $state/admin.key"
    fi
    cat >"kubeconfig-$user" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: kauth-dev
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $state/ca.crt
users:
- name: $user
  user:
$cred
contexts:
- name: kauth-dev
  context: {cluster: kauth-dev, user: $user}
current-context: kauth-dev
KCFG
  done
fi

alice_token=$(head -n 1 tokens.csv | cut -d, -f1)
cat <<EOT

kauthd is starting on https://127.0.0.1:$port with the dev state in $state. Try:

  curl --cacert $state/ca.crt -H "Authorization: Bearer $alice_token" \\
    -X POST https://127.0.0.1:$port/apis/authentication.k8s.io/v1/selfsubjectreviews
  curl --cacert $state/ca.crt https://127.0.0.1:$port/version
  curl --cacert $state/ca.crt -H "Authorization: Bearer wrong" https://127.0.0.1:$port/version
  kubectl --kubeconfig $state/kubeconfig-alice auth whoami
  kubectl --kubeconfig $state/kubeconfig-admin auth whoami
  curl --cacert $state/ca.crt --cert $state/admin.crt --key $state/admin.key \\
    https://127.0.0.1:$port/metrics

EOT
exec "$root/build/release/src/kauthd/kauthd" \
  --bind-address=127.0.0.1 --secure-port="$port" \
  --tls-cert-file="$state/serving.crt" --tls-private-key-file="$state/serving.key" \
  --client-ca-file="$state/ca.crt" --token-auth-file="$state/tokens.csv" "$@"
