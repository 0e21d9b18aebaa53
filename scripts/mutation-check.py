#!/usr/bin/env python3
"""The tests fail when the code is wrong: each mutant below must make `swift test` fail.

Each mutant is a one-line change of the kind a slip makes (a `<=` for a `<`, a tie broken the
other way, a boundary moved by one, a check skipped). For each, the script applies it to a fresh
git worktree of HEAD (so the checkout it runs from is never touched), runs the whole test suite
with the shared data required (as CI does), and reports whether a test failed ("killed") or all
passed ("survived"). A mutant marked equivalent cannot change any result (the note says why) and
is expected to survive. The script exits 1 when a mutant that should be killed survives, or when a
mutant's text is no longer in its file (the code moved: update the list).

Usage: scripts/mutation-check.py [ID ...]      (default: every mutant; about 2 minutes each)
       VENUE_SHARED_DATA=DIR when the data is not at ../shared/data beside this checkout.
"""
import os, shutil, subprocess, sys, tempfile

# (id, what it breaks, file, text, replacement[, why it is equivalent])
MUTANTS = [
    ("C1", "coupons valid through their last second", "Sources/VenueAssembly/CouponWallet.swift",
     "time <= validUntil", "time < validUntil"),
    ("C2", "a coupon's last day ends at 23:59:59", "Sources/VenueAssembly/CouponWallet.swift",
     "until + 86_399", "until + 86_400"),
    ("C3", "wallets grouped however the file interleaves them", "Sources/VenueAssembly/CouponWallet.swift",
     "allSatisfy({ owners[$0 - 1] <= owners[$0] })", "allSatisfy({ _ in true })"),
    ("C4", "a scope needs an id after its prefix", "Sources/VenueAssembly/CouponWallet.swift",
     "bytes.count > count, memcmp", "bytes.count >= count, memcmp"),
    ("P1", "a category at most N times in a window", "Sources/VenueAssembly/VenueAssembler.swift",
     "guard same < layout.maxPerCategory", "guard same <= layout.maxPerCategory"),
    ("P2", "the diversity window is W slots, not W + 1", "Sources/VenueAssembly/VenueAssembler.swift",
     "let window = layout.diversityWindow - 1", "let window = layout.diversityWindow"),
    ("P3", "a threshold equal to the deal price is reached", "Sources/VenueAssembly/VenueAssembler.swift",
     "let reachable = threshold <= dealPrice", "let reachable = threshold < dealPrice"),
    ("P4", "of equal amounts of a kind, the lowest threshold stacks", "Sources/VenueAssembly/VenueAssembler.swift",
     "if slot < 0 || (amount, -threshold) > (coupons[slot].amount, -coupons[slot].threshold)",
     "if slot < 0 || amount > coupons[slot].amount"),
    ("P5", "store coupons stack before category coupons", "Sources/VenueAssembly/VenueAssembler.swift",
     "apply(stack.0)\n        apply(stack.1)", "apply(stack.1)\n        apply(stack.0)"),
    ("P6", "of unreachable coupons with one threshold, the wallet's first is shown", "Sources/VenueAssembly/VenueAssembler.swift",
     "(!bestReachable && threshold < coupons[best].threshold)", "(!bestReachable && threshold <= coupons[best].threshold)"),
    ("P7", "the wallet shows each coupon id once", "Sources/VenueAssembly/VenueAssembler.swift",
     " && !valid.contains(where: { $0.id == coupon.id })", ""),
    ("P8", "deals stop at 90% off", "Sources/VenueAssembly/VenueAssembler.swift",
     "min(max(entry.maxDiscountPercent, 0), 90)", "min(max(entry.maxDiscountPercent, 0), 95)"),
    ("P9", "spend-more counts from the deal price", "Sources/VenueAssembly/VenueAssembler.swift",
     "max(0, coupons[best].threshold - dealPrice)", "max(0, coupons[best].threshold - entry.price)"),
    ("P10", "category floors tie in catalog order", "Sources/VenueAssembly/VenueAssembler.swift",
     "(weights[Int($0)], -$0) > (weights[Int($1)], -$1)", "(weights[Int($0)], $0) > (weights[Int($1)], $1)"),
    ("P11", "sold-out and non-participating brands are never shown", "Sources/VenueAssembly/Catalog.swift",
     "public var isShowable: Bool { participating && stock != .soldOut }", "public var isShowable: Bool { stock != .soldOut }"),
    ("E1", "the plan's ties go to the lower shopper row", "Sources/VenueAssembly/ExposurePlan.swift",
     "(score == self.score && row <= self.row)", "(score == self.score && row < self.row)"),
    ("E2", "a cap with as many touchers as room allows the touchers only", "Sources/VenueAssembly/ExposurePlan+Allocation.swift",
     "if touched[l].count >= left {", "if touched[l].count > left {",
     "with exactly `left` touchers the other branch scans for 0 more shoppers, which allows the same pages"),
    ("E3", "a guarantee delivered in full counts as met", "Sources/VenueAssembly/ExposureReport.swift",
     "row.delivered >= (partial ? row.planned : $0)", "row.delivered > (partial ? row.planned : $0)"),
    ("E4", "a cap reached exactly counts as kept", "Sources/VenueAssembly/ExposureReport.swift",
     "row.delivered <= $0", "row.delivered < $0"),
    ("E5", "merged shard reports add up the placements planned", "Sources/VenueAssembly/ExposureReport.swift",
     "rows[i].planned = sums.0.partialValue", "rows[i].planned = first.planned"),
    ("E6", "a shard report with fewer brands than the first is refused", "Sources/VenueAssembly/ExposureReport.swift",
     "if index < rows.count {", "if index < rows.count - 1 {"),
    ("E7", "merge-exposure needs every shard", "Sources/VenueCommand/MergeExposureCommand.swift",
     "guard sorted.count == count else {", "guard sorted.count <= count else {"),
    ("M1", "NDCG's ideal counts at most K test brands", "Sources/VenueRanking/RankingMetrics.swift",
     "for position in 0..<min(k, relevantCount) { ideal", "for position in 0..<relevantCount { ideal"),
    ("M2", "micro precision counts the brands actually recommended", "Sources/VenueRanking/RankingMetrics.swift",
     "recommended += min(k, ranked.count)", "recommended += k"),
    ("M3", "bootstrap intervals interpolate between ranks", "Sources/VenueLinearAlgebra/Quantile.swift",
     "let high = min(low + 1, sorted.count - 1)", "let high = low"),
    ("S1", "training ends at the cut, inclusive", "Sources/VenueRanking/TimeSplit.swift",
     "log.times[$0] <= cut }", "log.times[$0] <= cut + 86_400 }"),
    ("S2", "the test window includes its last day", "Sources/VenueRanking/TimeSplit.swift",
     "log.times[i] <= testEnd", "log.times[i] < testEnd"),
    ("S3", "own history counts events at the cut", "Sources/VenueRanking/BaselineRankers.swift",
     "log.times[i] != EventLog.noTime && log.times[i] <= cut {", "log.times[i] != EventLog.noTime && log.times[i] < cut {"),
    ("R1", "top-K ties go to the lower brand index", "Sources/VenueRanking/TopK.swift",
     "sa < sb || (sa == sb && ia > ib)", "sa < sb || (sa == sb && ia < ib)"),
    ("I1", "recency halves every half-life", "Sources/VenueInteractions/EventWeighting.swift",
     "r *= Float(exp2(-age))", "r *= Float(exp2(-age / 2))"),
    ("I2", "log confidence divides by epsilon", "Sources/VenueInteractions/EventWeighting.swift",
     "1 + alpha * log1p(r / epsilon)", "1 + alpha * log1p(r * epsilon)"),
    ("I3", "January and February count in the year before (civil day numbers)", "Sources/VenueInteractions/CalendarTime.swift",
     "let y = Int64(month <= 2 ? year - 1 : year)", "let y = Int64(month < 2 ? year - 1 : year)"),
    ("F1", "conjugate gradient takes every step asked for", "Sources/VenueFactorization/ConjugateGradientSolver.swift",
     "for _ in 0..<steps {", "for _ in 0..<max(1, steps - 1) {"),
    ("F2", "ν scales λ by the row's count, from one", "Sources/VenueFactorization/ALSConfiguration.swift",
     "pow(Double(max(count, 1))", "pow(Double(max(count, 2))"),
    ("F3", "a model whose checksum does not match is refused", "Sources/VenueFactorization/ModelFile.swift",
     "guard try stored.u64(path) == checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<total - 8])) else {",
     "guard try stored.u64(path) == checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<total - 8])) || true else {"),
    ("G1", "a shard is hash % N + 1", "Sources/VenueAssembly/Shard.swift",
     "Int(hash.value % UInt64(count)) == index - 1", "Int((hash.value >> 1) % UInt64(count)) == index - 1"),
    ("G2", "a checkpoint past the run's shoppers is refused", "Sources/VenueCommand/GenerationCheckpoint.swift",
     "guard saved.inputs == fingerprint, saved.shoppers <= total else {", "guard saved.inputs == fingerprint else {"),
    ("G3", "a shard's run keeps its own shoppers' wallets only", "Sources/VenueAssembly/CouponWallet.swift",
     "let scope, shard?.contains(utf8: shopper) ?? true,", "let scope,"),
    ("G4", "a --shoppers run keeps the listed shoppers' wallets only", "Sources/VenueAssembly/CouponWallet.swift",
     "shoppers.map({ $0.index(of: shopper) != nil }) ?? true", "true"),
    ("G5", "a shard's history keeps the others' events on plan brands", "Sources/VenueAssembly/VenueGenerator.swift",
     "own[Int(log.shoppers[i])] || planned[Int(log.brands[i])] }", "own[Int(log.shoppers[i])] }"),
    ("G6", "a shard's generator folds in its own newcomers only", "Sources/VenueAssembly/Newcomers.swift",
     "if let shard {", "if let shard, shard.count < 0 {"),
    ("X1", "part of the model places its shoppers by their rows in the whole", "Sources/VenueAssembly/ExposurePlan.swift",
     "let r = populationRows?[row] ?? Int32(row)", "let r = Int32(row)"),
    ("X2", "a saved plan is refused for other inputs", "Sources/VenueAssembly/ExposurePlan+File.swift",
     "where sources[key] as? String != value {", "where sources[key] == nil {"),
    ("X3", "a part of the model keeps the rows of the shoppers it keeps", "Sources/VenueFactorization/ModelFile.swift",
     "from: raw.baseAddress!.advanced(by: Int(row) * rowBytes), byteCount: rowBytes)",
     "from: raw.baseAddress!.advanced(by: i * rowBytes), byteCount: rowBytes)"),
    ("X4", "a saved plan keeps the guarantees' order", "Sources/VenueAssembly/ExposurePlan+File.swift",
     "guaranteeOrder[Int(position)] = Int32(l)", "guaranteeOrder[placing.count - 1 - Int(position)] = Int32(l)"),
    ("X5", "merge-exposure refuses reports of different runs", "Sources/VenueAssembly/ExposureReport.swift",
     "if let first = firstRun, run != first.run {", "if let first = firstRun, run != first.run, f < 0 {"),
    ("X6", "a run is named alike in every shard", "Sources/VenueCommand/GenerateCommand.swift",
     'settings: [\n', 'settings: [String(describing: batch.shard),\n'),
    ("X8", "a shard with a plan takes popularity from it", "Sources/VenueAssembly/VenueGenerator.swift",
     "counts: saved?.popularityCounts ?? blend.popularityCounts(", "counts: blend.popularityCounts("),
    ("X9", "the reader keeps the chosen shoppers' rows", "Sources/VenueInteractions/EventReader.swift",
     "if let keepsShopper, !keepsShopper(shopperBytes) {", "if let keepsShopper, !keepsShopper(brandBytes) {"),
    ("X10", "pages with a plan are for its day", "Sources/VenueCommand/GenerateCommand.swift",
     "let time = at?.start ?? saved?.day ?? PlanCommand.day(", "let time = at?.start ?? PlanCommand.day("),
    ("X7", "a run is named by its day", "Sources/VenueCommand/GenerateCommand.swift",
     'for (key, value) in madeFrom.sorted(by: { $0.key < $1.key }) {', 'for (key, value) in madeFrom.sorted(by: { $0.key < $1.key }) where key != "at" {'),
]

root = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True).stdout.strip()
wanted = set(sys.argv[1:])
unknown = wanted - {m[0] for m in MUTANTS}
if unknown:
    sys.exit(f"no such mutant: {', '.join(sorted(unknown))}")
data = os.environ.get("VENUE_SHARED_DATA") or os.path.join(os.path.dirname(root), "shared", "data")
env = dict(os.environ, VENUE_SHARED_DATA=os.path.abspath(data), VENUE_REQUIRE_SHARED_DATA="1")

work = tempfile.mkdtemp(prefix="venue-mutants-")
tree = os.path.join(work, "tree")
subprocess.run(["git", "worktree", "add", "--detach", tree, "HEAD"], cwd=root, capture_output=True, check=True)
problems = []
try:
    print("building the tests once…", flush=True)
    subprocess.run(["swift", "build", "--build-tests"], cwd=tree, env=env, capture_output=True, check=True)
    for mutant in MUTANTS:
        ident, what, path, text, replacement = mutant[:5]
        equivalent = mutant[5] if len(mutant) > 5 else None
        if wanted and ident not in wanted:
            continue
        file = os.path.join(tree, path)
        original = open(file, encoding="utf-8").read()
        if original.count(text) != 1:
            problems.append(f"{ident}: the text is in {path} {original.count(text)} times, not once")
            print(f"{ident:4} MISSING    {what}", flush=True)
            continue
        open(file, "w", encoding="utf-8").write(original.replace(text, replacement))
        try:
            run = subprocess.run(["swift", "test"], cwd=tree, env=env, capture_output=True, text=True)
        finally:
            open(file, "w", encoding="utf-8").write(original)
        output = run.stdout + run.stderr
        failed = [line.strip() for line in output.splitlines() if line.lstrip().startswith("✘ Test") and "recorded an issue" not in line]
        if run.returncode != 0 and not failed:
            # A build error or a crash: the first error line says which.
            failed = [next((l.strip() for l in output.splitlines() if "error:" in l or "Fatal error" in l), f"exit {run.returncode}")]
        killed = run.returncode != 0
        verdict = "killed" if killed else ("survived (equivalent)" if equivalent else "SURVIVED")
        print(f"{ident:4} {verdict:10} {what}" + (f"\n       {failed[0][:160]}" if failed else ""), flush=True)
        if killed == bool(equivalent):
            problems.append(f"{ident}: {'killed, though marked equivalent' if killed else 'survived'}: {what}")
finally:
    subprocess.run(["git", "worktree", "remove", "--force", tree], cwd=root, capture_output=True)
    shutil.rmtree(work, ignore_errors=True)

print("\n" + ("\n".join(problems) if problems else "every mutant as expected"))
sys.exit(1 if problems else 0)
