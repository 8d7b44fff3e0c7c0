#!/usr/bin/env bash
# wasm-build.sh OUTDIR — build the browser module (./wasm) into OUTDIR as
# kanmon.wasm next to the matching wasm_exec.js, both precompressed with
# brotli and gzip so the static file server can send them as they are.
#
# Needs Go and Node. Run from anywhere in the repository.
set -euo pipefail

if [[ $# -ne 1 ]]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
# Resolve OUTDIR against the caller's directory before moving to the root.
mkdir -p "$1"
outdir=$(cd "$1" && pwd)

cd "$(dirname "$0")/.."

# -trimpath keeps build paths out of the binary; -s -w drop the symbol table
# and DWARF, which the browser never uses.
GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o "$outdir/kanmon.wasm" ./wasm
# wasm_exec.js must come from the same Go release as the compiler.
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$outdir/wasm_exec.js"

node scripts/precompress.mjs "$outdir/kanmon.wasm" "$outdir/wasm_exec.js"
