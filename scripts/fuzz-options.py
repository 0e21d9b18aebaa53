#!/usr/bin/env python3
"""Extreme numbers on the command line never crash `venue`.

Runs every command on the fixtures with each numeric option set in turn to Int.max, 2^32, 2^31,
-1, 0, 1e30 and nan. Each run must exit 0 (the number meant "all", or was harmless), 1 (a message
saying why not) or 64 (the option refused, named); an exit by signal is a failure. A run still
going after TIMEOUT seconds is listed as long, not failed: `--iterations 2147483648` trains for
that long, as asked.

Usage: scripts/fuzz-options.py VENUE_BINARY [TIMEOUT]      (default: 20 s)
"""
import itertools, os, subprocess, sys, tempfile

venue = os.path.abspath(sys.argv[1])
timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 20
fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
VALUES = ["9223372036854775807", "4294967296", "2147483648", "-1", "0", "1e30", "nan"]

with tempfile.TemporaryDirectory(prefix="venue-options-") as work:
    model, out = os.path.join(work, "m.model"), os.path.join(work, "out")
    events = ["--events", f"{fixtures}/events.csv", "--format", "generic"]
    split = ["--train-until", "2026-10-15", "--test-from", "2026-10-16", "--test-until", "2026-11-10"]
    subprocess.run([venue, "train"] + events + ["--model", model, "--iterations", "3", "--learn-blend"], capture_output=True, check=True)
    inputs = ["--model", model, "--events", f"{fixtures}/events.csv", "--catalog", f"{fixtures}/catalog.csv",
              "--coupons", f"{fixtures}/coupons.csv", "--layout", f"{fixtures}/layout.json", "--out", out]
    commands = {
        "recommend": (["recommend", "--model", model, "--shopper", "S0001"], ["-k", "--threads"]),
        "recommend --all": (["recommend", "--model", model, "--all", "--out", out + ".jsonl"], ["-k", "--threads"]),
        "recommend --blend": (["recommend", "--model", model, "--all", "--out", out + ".jsonl", "--blend"] + events, ["-k", "--threads"]),
        "similar": (["similar", "--model", model, "--brand", "B001"], ["-k", "--threads"]),
        "similar --all": (["similar", "--model", model, "--all", "--out", out + ".jsonl"], ["-k", "--threads"]),
        "generate": (["generate"] + inputs, ["--threads", "--checkpoint-every", "--factor-weight", "--popularity-weight", "--half-life"]),
        "generate --learned-blend": (["generate", "--learned-blend"] + inputs, ["--threads"]),
        "train": (["train"] + events + ["--model", out + ".model", "--iterations", "2"],
                  ["--factors", "--iterations", "--cg-steps", "--threads", "--seed", "--regularization", "--alpha", "--epsilon",
                   "--half-life", "--regularization-exponent"]),
        "train --learn-blend": (["train", "--learn-blend"] + events + ["--model", out + ".model", "--iterations", "2"],
                                ["--knn", "--learn-windows", "--learn-window", "--popular-candidates", "--learn-shoppers",
                                 "--history-half-life"]),
        "evaluate": (["evaluate"] + events + split + ["--iterations", "2", "--bootstrap", "10"],
                     ["-k", "--seeds", "--bootstrap", "--knn", "--learn-windows", "--learn-step", "--popular-candidates"]),
        "evaluate --holdout": (["evaluate"] + events + ["--iterations", "2", "--holdout", "0.2"], ["-k", "--split-seed"]),
        "fixtures": (["fixtures", "--out", out], ["--brands", "--shoppers", "--seed"]),
        "bench rank": (["bench", "rank", "--queries", "50", "--shoppers", "500"],
                       ["--brands", "--factors", "-k", "--queries", "--shoppers", "--threads", "--block-size"]),
        "tune": (["tune"] + events + ["--train-until", "2026-10-15", "--iterations", "2"],
                 ["--trials", "--seeds", "--folds", "--fold-step", "--validation-days"]),
        "stats": (["stats", "--events", f"{fixtures}/events.csv", "--format", "tmall2014"], ["--year"]),
    }
    failures, long = [], []
    for name, (arguments, options) in commands.items():
        for option, value in itertools.product(options, VALUES):
            subprocess.run(["rm", "-rf", out, out + ".jsonl", out + ".model"])
            try:
                result = subprocess.run([venue] + arguments + [option, value], capture_output=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                long.append(f"{name} {option} {value}")
                continue
            if result.returncode not in (0, 1, 64):
                error = result.stderr.decode("utf-8", "replace")
                where = [line.strip() for line in error.splitlines() if "failure" in line or "Fatal" in line or " at /" in line][:2]
                failures.append(f"{name} {option} {value}: exit {result.returncode}: {' | '.join(where)[:300]}")
print(f"{len(long)} still running after {timeout:g} s (not failures):")
for run in long:
    print("  " + run)
print(f"{len(failures)} failures")
for failure in failures:
    print("  " + failure)
sys.exit(1 if failures else 0)
