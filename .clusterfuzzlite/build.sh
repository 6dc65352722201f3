#!/bin/bash -eu
# Builds the fuzz targets for ClusterFuzzLite (the sanitizer comes from $SANITIZER through
# cargo fuzz's flags in the OSS-Fuzz image) and ships each with its seed corpus and dictionary.
cd "$SRC/mapcheck"
cargo fuzz build -O --features libfuzzer
out_dir=target/x86_64-unknown-linux-gnu/release
for target in ops schedules scenario; do
  cp "$out_dir/$target" "$OUT/"
done
(cd fuzz/corpus/ops && zip -q "$OUT/ops_seed_corpus.zip" ./*)
(cd fuzz/corpus/schedules && zip -q "$OUT/schedules_seed_corpus.zip" ./*)
(cd scenarios && zip -q "$OUT/scenario_seed_corpus.zip" ./*.toml)
cp fuzz/dict/scenario.dict "$OUT/scenario.dict"
