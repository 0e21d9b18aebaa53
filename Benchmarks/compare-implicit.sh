#!/usr/bin/env bash
# Side by side with the `implicit` library (the reference CPU implicit ALS), same data, same
# hyperparameters, same run: writes the anchors' synthetic data sets as CSV, trains with
# `implicit` (CG and Cholesky) and with `venue train` (cg and exact), then prints the ratios.
#
# Usage: Benchmarks/compare-implicit.sh [SIZES] [THREADS]     (default: "a b" 2)
#   VENUE_BENCH_DATA=DIR   where CSVs and results go (default: .build/compare-implicit)
#   QUALITY=1              also the 20% holdout Recall@50/NDCG@50 at size a (both sides)
#   SUMMARY_ONLY=1         only print the table from results already in the data folder
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-"a b"}
threads=${2:-2}
anchors=../shared/anchors
data=${VENUE_BENCH_DATA:-.build/compare-implicit}
mkdir -p "$data"
PY=$("$anchors/setup.sh" | tail -1)
venue=.build/release/venue
common="--factors 64 --iterations 15 --regularization 0.01 --alpha 10 --threads $threads"
if [[ ${SUMMARY_ONLY:-0} != 1 ]]; then
scripts/ensure-openblas.sh
swift build -c release --product venue >&2

declare -A shape=([a]="20000 2000 500000" [b]="200000 10000 5000000" [c]="1000000 20000 20000000")
for size in $sizes; do
  read -r users items nnz <<<"${shape[$size]}"
  csv="$data/size-$size.csv"
  if [[ ! -f $csv ]]; then
    "$PY" "$anchors/implicit_baseline.py" --users "$users" --items "$items" --nnz "$nnz" --seed 42 --write-csv "$csv" --write-only >/dev/null 2>&1
  fi
  echo "size $size: implicit…" >&2
  "$PY" "$anchors/implicit_baseline.py" --csv "$csv" $common --loss --no-rank > "$data/implicit-$size.json" 2> "$data/implicit-$size.log"
  for solver in cg exact; do
    echo "size $size: venue $solver…" >&2
    "$venue" train --events "$csv" --format weights $common --solver "$solver" --model "$data/venue-$size-$solver.model" --json \
      > "$data/venue-$size-$solver.json" 2> "$data/venue-$size-$solver.log"
  done
  if [[ ${QUALITY:-0} == 1 && $size == a ]]; then
    echo "size a: quality (20% holdout)…" >&2
    "$PY" "$anchors/implicit_baseline.py" --csv "$csv" $common --holdout 0.2 --solvers cg --no-rank > "$data/implicit-a-holdout.json" 2>/dev/null
    "$venue" evaluate --events "$csv" --format weights $common --holdout 0.2 -k 50 --json > "$data/venue-a-holdout.json" 2>/dev/null
  fi
done
fi

# The quality table belongs to this run only when this run measured it (or when asked for a
# summary of whatever the data folder holds); older holdout results are not printed as if new.
quality=0
[[ ${SUMMARY_ONLY:-0} == 1 || (${QUALITY:-0} == 1 && " $sizes " == *" a "*) ]] && quality=1
"$PY" - "$data" "$sizes" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$quality" <<'PYEOF'
import json, sys, os
data, sizes, commit, quality = sys.argv[1], sys.argv[2].split(), sys.argv[3], sys.argv[4] == "1"
print(f"VenueKit {commit} vs implicit, 64 factors, 15 iterations, alpha 10, lambda 0.01, same run\n")
# Both losses are implicit's normalisation: objective / (sum of confidences + zero pairs). The
# harness counts every row up to the largest id (empty users too); venue counts the shoppers
# present, so venue's full objective is divided by the harness's denominator here.
alpha = 10.0
print("| size | solver | implicit s/iter | venue s/iter | ratio | implicit train loss | venue train loss |")
print("|---|---|---|---|---|---|---|")
for size in sizes:
    imp = json.loads(open(f"{data}/implicit-{size}.json").read().strip().splitlines()[-1])
    users, items = imp["data"]["shape"]
    nnz, weights = imp["data"]["nnz"], imp["data"]["weight_sum"]
    denominator = nnz + alpha * weights + users * items - nnz
    for ours, theirs in (("cg", "cg"), ("exact", "cholesky")):
        v = json.loads(open(f"{data}/venue-{size}-{ours}.json").read())
        t = imp[f"train_{theirs}"]
        r = v["seconds_per_iteration"] / t["sec_per_iter_median"]
        print(f"| {size} | {ours} / {theirs} | {t['sec_per_iter_median']:.3f} | {v['seconds_per_iteration']:.3f} | {r:.2f}× | {t.get('train_loss', float('nan')):.6f} | {v['loss'] / denominator:.6f} |")
q = f"{data}/implicit-a-holdout.json"
if quality and os.path.exists(q):
    imp = json.loads(open(q).read().strip().splitlines()[-1])["train_cg"]["quality"]
    v = json.loads(open(f"{data}/venue-a-holdout.json").read())
    print("\n| size a, 20% holdout | Recall@50 | NDCG@50 |\n|---|---|---|")
    print(f"| implicit (cg) | {imp['recall@50']:.4f} | {imp['ndcg@50']:.4f} |")
    print(f"| venue (cg) | {v['recall@50']:.4f} | {v['ndcg@50']:.4f} |")
PYEOF
