#!/bin/sh
# Seeds each fuzz target's corpus with the repository's own inputs:
# fuzz/corpus/TARGET/ holds one file per seed, named by content hash.
# Run from anywhere; the corpora stay out of git (fuzz/.gitignore).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seed() {
    target=$1
    shift
    mkdir -p "fuzz/corpus/$target"
    find "$@" -type f | while read -r file; do
        cp "$file" "fuzz/corpus/$target/$(sha1sum "$file" | cut -c1-16)"
    done
}

seed lens tests/cases policies examples -name '*.lens'
seed review tests/cases policies examples -name '*.lens'
seed evidence crates/loupe-evidence/tests/fixtures tests/cases/run examples \
    \( -name '*.json' -o -name '*.yaml' -o -name '*.yml' -o -name '*.template' \) ! -name 'answers*.yaml'
seed answers tests/cases/run examples -name 'answers*.yaml'
for target in lens review evidence answers; do
    echo "$target: $(ls "fuzz/corpus/$target" | wc -l) seeds"
done
