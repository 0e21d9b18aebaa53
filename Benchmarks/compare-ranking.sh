#!/usr/bin/env bash
# Ranking side by side with the anchors (implicit, numpy, faiss) in one run: top-50 of 10k brands
# × 64 factors. The anchors rank a size-b model (200k shoppers, implicit trained 3 CG iterations:
# ranking speed does not depend on training); `venue bench rank` ranks random factors of the same
# shape, 200k shoppers, ~25 owned brands each, filtered (own brands + 5% out of the sale).
# venue's single-shopper rows split each shopper's ranking over THREADS cores (SplitRanker), as
# the anchors run with THREADS threads; the "one core" row is the same ranking on one.
#
# Usage: Benchmarks/compare-ranking.sh [THREADS]      (default 2)
#   VENUE_BENCH_DATA=DIR   where results go (default: .build/compare-ranking)
#   SUMMARY_ONLY=1         only print the table from results already there
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
anchors=../shared/anchors
data=${VENUE_BENCH_DATA:-.build/compare-ranking}
mkdir -p "$data"
PY=$("$anchors/setup.sh" | tail -1)
if [[ ${SUMMARY_ONLY:-0} != 1 ]]; then
  scripts/ensure-openblas.sh
  swift build -c release --product venue >&2
  echo "anchors: implicit / numpy / faiss…" >&2
  "$PY" "$anchors/implicit_baseline.py" --users 200000 --items 10000 --nnz 5000000 --seed 42 --factors 64 \
    --iterations 3 --regularization 0.01 --alpha 10 --threads "$threads" --solvers cg --K 50 \
    > "$data/anchors.json" 2> "$data/anchors.log"
  for precision in float32 float16; do
    echo "venue bench rank --precision $precision…" >&2
    .build/release/venue bench rank --brands 10000 --factors 64 -k 50 --queries 5000 --shoppers 200000 \
      --threads "$threads" --block-size 256 --precision "$precision" > "$data/venue-$precision.json"
  done
fi
"$PY" - "$data" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" <<'PYEOF'
import json, sys
data, commit = sys.argv[1], sys.argv[2]
a = json.load(open(f"{data}/anchors.json"))["rank"]
v = {p: json.load(open(f"{data}/venue-{p}.json")) for p in ("float32", "float16")}
print(f"Top-50 of 10k brands × 64 factors, same run, VenueKit {commit}; sgemm {v['float32']['sgemm_gflops']} GFLOP/s (2 threads)\n")
print("| ranker | single p50 µs | single p99 µs | batch shoppers/s (2 threads) | filtered |")
print("|---|---|---|---|---|")
imp, num, fa = a["single_user_implicit"], a["single_user_numpy"], a.get("faiss", {})
print(f"| implicit 0.7.3 | {imp['p50_us']} | {imp['p99_us']} | {a['batch_users_per_sec']:.0f} | own brands |")
print(f"| implicit 0.7.3, no filter | – | – | {a['batch_nofilter_users_per_sec']:.0f} | no |")
print(f"| numpy sgemv + argpartition | {num['p50_us']} | {num['p99_us']} | – | own brands |")
if "single_user" in fa:
    print(f"| faiss IndexFlatIP {fa.get('version','')} | {fa['single_user']['p50_us']} | {fa['single_user']['p99_us']} | {fa['batch_users_per_sec']:.0f} | no |")
for p, d in v.items():
    s, u = d["single_filtered"], d["single_unfiltered"]
    print(f"| venue {p} | {s['p50_us']} (p999 {s['p999_us']}) | {s['p99_us']} | {d['batch_filtered_shoppers_per_sec']:.0f} | own brands + catalog |")
    print(f"| venue {p}, no filter | {u['p50_us']} | {u['p99_us']} | {d['batch_unfiltered_shoppers_per_sec']:.0f} | no |")
    if "single_filtered_1thread" in d:
        o = d["single_filtered_1thread"]
        print(f"| venue {p}, one shopper on one core | {o['p50_us']} | {o['p99_us']} | – | own brands + catalog |")
f32 = v["float32"]
print(f"\nratios (venue f32 filtered vs anchor): single p50 {f32['single_filtered']['p50_us']/imp['p50_us']:.2f}× implicit, "
      f"{f32['single_filtered']['p50_us']/num['p50_us']:.2f}× numpy" +
      (f", {f32['single_filtered']['p50_us']/fa['single_user']['p50_us']:.2f}× faiss" if "single_user" in fa else "") +
      f"; batch {f32['batch_filtered_shoppers_per_sec']/a['batch_users_per_sec']:.1f}× implicit filtered" +
      (f", {f32['batch_filtered_shoppers_per_sec']/fa['batch_users_per_sec']:.2f}× faiss unfiltered" if "single_user" in fa else ""))
print(f"float16 recall@50 agreement with float32: {v['float16'].get('recall_agreement_vs_float32')}")
PYEOF
