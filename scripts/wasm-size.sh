#!/usr/bin/env bash
# wasm-size.sh — print the size of Kanmon's WASM module (raw, gzip -9,
# brotli -q 11) next to a minimal syscall/js program built the same way,
# and the ratio between them. The minimal program is the floor any Go WASM
# pays; the ratio shows what our own code and imports add. Used by
# `make size`. Needs Go and Node.
set -euo pipefail

cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

scripts/wasm-build.sh "$tmp/kanmon" >/dev/null

mkdir -p "$tmp/minimal"
cat >"$tmp/minimal/main.go" <<'GO'
package main

import "syscall/js"

func main() {
	js.Global().Set("minimal", true)
	select {}
}
GO
# Built outside the module from a file argument, so nothing of ours leaks in.
(cd "$tmp/minimal" && GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o minimal.wasm main.go)
node scripts/precompress.mjs "$tmp/minimal/minimal.wasm"

size() { stat -c %s "$1"; }

# ratio A B prints A/B with two decimals, using integer arithmetic only.
ratio() { printf '%d.%02d' $(($1 / $2)) $(($1 * 100 / $2 % 100)); }

printf '%-10s %12s %12s %12s\n' "" raw gzip brotli
for name in kanmon minimal; do
	f=$tmp/$name/$name.wasm
	printf '%-10s %12d %12d %12d\n' "$name" "$(size "$f")" "$(size "$f.gz")" "$(size "$f.br")"
done
k=$tmp/kanmon/kanmon.wasm m=$tmp/minimal/minimal.wasm
printf '%-10s %12s %12s %12s\n' ratio "$(ratio "$(size "$k")" "$(size "$m")")" \
	"$(ratio "$(size "$k.gz")" "$(size "$m.gz")")" "$(ratio "$(size "$k.br")" "$(size "$m.br")")"
