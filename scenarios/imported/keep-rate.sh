#!/bin/bash
# The keep rate of reproducers: imports each file named on the command line with the release
# binary (`cargo build --release -p mapcheck-cli` first) and reports whether it is kept with its
# own hazard: `scenario import` writes the file (its first run met its expectation) and the file
# names the structures of the source's `mapcheck-expect:` line.
#   scenarios/imported/keep-rate.sh scenarios/imported/heldout/*
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${MAPCHECK_BIN:-$root/target/release/mapcheck}
out=$(mktemp -d)
kept=0; total=0
for f in "$@"; do
  total=$((total+1))
  name=$(basename $f); stem=${name%.*}
  want=$(grep -o 'mapcheck-expect:.*' $f | sed 's/mapcheck-expect://; s/,/ /g')
  $bin scenario import $f --out $out/$stem.toml > $out/$stem.log 2>&1; code=$?
  if [ $code -eq 0 ] && [ -f $out/$stem.toml ]; then
    missing=""
    for w in $want; do grep -q "^\"$w\" = " $out/$stem.toml || missing="$missing $w"; done
    got=$(sed -n '/^\[expect\]/,$p' $out/$stem.toml | grep -o '^"[^"]*"' | tr -d '"' | tr '\n' ' ')
    if [ -z "$missing" ]; then kept=$((kept+1)); echo "KEPT     $name (want: $want; names: $got)"; else echo "WRONG    $name (want: $want; names: $got)"; fi
  else
    reason=$(grep -m1 -E "hazard not reproduced|no hazard recognised|^error" $out/$stem.log)
    echo "NOT KEPT $name (exit $code: $reason)"
  fi
done
echo "kept with the report's own hazard: $kept of $total"
