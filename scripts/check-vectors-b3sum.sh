#!/usr/bin/env bash
# Checks every canonical test vector with an independent BLAKE3 implementation: for each line of
# canonical-vectors-v1.jsonl, the BLAKE3-256 of the bytes in "canonical_hex" must equal "id".
# This pins the id side of the format (docs/format.md) without any Java.
#
# Usage: scripts/check-vectors-b3sum.sh [vectors.jsonl]
# Needs: b3sum (Debian/Ubuntu package b3sum, or `cargo install b3sum`), and python3 or jq to read
# JSON lines, and python3 or xxd to turn hex into bytes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
vectors="${1:-$here/../crdt/src/test/resources/canonical-vectors-v1.jsonl}"

die() { echo "check-vectors-b3sum: $*" >&2; exit 2; }
have() { command -v "$1" >/dev/null 2>&1; }

[ -r "$vectors" ] || die "cannot read $vectors"
have b3sum || die "b3sum is not installed (apt-get install b3sum, or cargo install b3sum)"

# One tab-separated "name<TAB>canonical_hex<TAB>id" line per vector.
if have python3; then
    list_vectors() {
        python3 -c '
import json, sys
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if line.strip():
        v = json.loads(line)
        print("\t".join((v["name"].replace("\t", " "), v["canonical_hex"], v["id"])))
' "$vectors"
    }
elif have jq; then
    list_vectors() { jq -r '[(.name | gsub("\t"; " ")), .canonical_hex, .id] | @tsv' "$vectors"; }
else
    die "need python3 or jq to read $vectors"
fi

if have python3; then
    hex_to_bytes() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))'; }
elif have xxd; then
    hex_to_bytes() { xxd -r -p; }
else
    die "need python3 or xxd to turn hex into bytes"
fi

# Read the whole list first, so that a JSON error stops the script (set -e) instead of being lost
# in a pipe.
table="$(list_vectors)"

passed=0
failed=0
while IFS=$'\t' read -r name hex id; do
    [ -n "$hex" ] || continue
    actual="$(printf '%s' "$hex" | hex_to_bytes | b3sum --no-names)"
    if [ "$actual" = "$id" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name: b3sum gives $actual, the vector says $id" >&2
    fi
done <<< "$table"

[ $((passed + failed)) -gt 0 ] || die "no vectors in $vectors"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
