#!/usr/bin/env python3
"""A damaged checkpoint never crashes `venue generate --resume`, nor yields pages of the wrong bytes.

Generates the fixtures' pages once without interruption (the reference), then once stopped at its
third checkpoint (VENUE_CRASH_AT_CHECKPOINT=3), which leaves a checkpoint and a partial output.
Each run then damages one of the two (cuts it, changes a few bytes, appends to it, or sets a
checkpoint value to Int.max, -1, 10^20, nothing or a list; or moves its shopper or byte count and
reseals its checksum) and resumes. A resume must either
exit 1 with a message and write no pages, or exit 0 with the reference's pages and exposure
report, byte for byte. Resume trusts the bytes inside the checkpointed part of the partial output
(they were durable when recorded), so a change there may give other pages: that is disk
corruption, counted apart and not a failure. A failing run's files (as stopped, as damaged, and
what the resume wrote) are kept in .build/fuzz-failures/resume-RUN/.

Usage: scripts/fuzz-resume.py VENUE_BINARY [RUNS] [SEED]      (default: 200 runs, seed 1)
"""
import collections, os, random, shutil, subprocess, sys, tempfile

venue = os.path.abspath(sys.argv[1])
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
fixtures = os.path.join(root, "Fixtures")
kept = os.path.join(root, ".build", "fuzz-failures")
PAGES, REPORT = "venues.jsonl", "exposure.csv"


def fnv1a(data: bytes) -> str:
    """64-bit FNV-1a in lower-case hex, as GenerationCheckpoint.checksum(of:) writes it."""
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return format(value, "x")


def resealed(data: bytes) -> bytes:
    """A checkpoint whose last line is made to match the lines before it again."""
    body = data[: data.rstrip(b"\n").rfind(b"\n") + 1]
    return body + b"check " + fnv1a(body).encode() + b"\n"


def damage(data: bytes, is_checkpoint: bool) -> bytes:
    """One random change; a checkpoint may also get one of its values replaced, or its shopper or
    byte count moved with the checksum made to match (as a hand-edited checkpoint would be)."""
    if is_checkpoint and rng.random() < 0.3:
        lines = data.split(b"\n")
        field = rng.choice([b"shoppers ", b"bytes "])
        i = next(i for i, line in enumerate(lines) if line.startswith(field))
        key, _, value = lines[i].partition(b" ")
        moved = max(0, int(value) + rng.choice([-1, 1]) * rng.choice([1, 2, 60, 255, 256, 257, 5000]))
        lines[i] = key + b" " + str(moved).encode()
        return resealed(b"\n".join(lines))
    data = bytearray(data)
    kind = rng.randrange(4 if is_checkpoint else 3)
    if kind == 0 and data:
        return bytes(data[: rng.randrange(len(data))])
    if kind == 1 and data:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.choice(b"0123456789,\n -x")
        return bytes(data)
    if kind == 3:
        lines = bytes(data).split(b"\n")
        i = rng.randrange(len(lines))
        if b" " in lines[i]:
            key = lines[i].partition(b" ")[0]
            lines[i] = key + b" " + rng.choice([b"9223372036854775807", b"-1", b"99999999999999999999", b"", b"1,2,3"])
        return b"\n".join(lines)
    return bytes(data) + rng.choice([b"\nextra 1\n", b"junk", b"\n"])


with tempfile.TemporaryDirectory(prefix="venue-resume-") as work:
    model = os.path.join(work, "m.model")
    subprocess.run([venue, "train", "--events", f"{fixtures}/events.csv", "--format", "generic", "--model", model,
                    "--iterations", "3"], capture_output=True, check=True)
    generate = [venue, "generate", "--model", model, "--events", f"{fixtures}/events.csv",
                "--catalog", f"{fixtures}/catalog.csv", "--coupons", f"{fixtures}/coupons.csv",
                "--layout", f"{fixtures}/layout.json", "--checkpoint-every", "256"]
    reference, stopped = os.path.join(work, "reference"), os.path.join(work, "stopped")
    subprocess.run(generate + ["--out", reference], capture_output=True, check=True)
    expected = {name: open(os.path.join(reference, name), "rb").read() for name in (PAGES, REPORT)}
    crash = subprocess.run(generate + ["--out", stopped], capture_output=True,
                           env=dict(os.environ, VENUE_CRASH_AT_CHECKPOINT="3"))
    left = {name: open(os.path.join(stopped, name), "rb").read() for name in os.listdir(stopped)}
    if crash.returncode == 0 or not any(name.endswith(".checkpoint") for name in left):
        sys.exit(f"the stopped run left no checkpoint (exit {crash.returncode}, files {sorted(left)})")

    outcomes, failures, trusted = collections.Counter(), 0, 0
    for run in range(runs):
        target = rng.choice(sorted(left))
        damaged = damage(left[target], target.endswith(".checkpoint"))
        if damaged == left[target]:
            continue
        out = os.path.join(work, "resume")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        for name, data in left.items():
            open(os.path.join(out, name), "wb").write(damaged if name == target else data)
        result = subprocess.run(generate + ["--out", out, "--resume"], capture_output=True, timeout=300)
        written = {name: open(os.path.join(out, name), "rb").read()
                   for name in (PAGES, REPORT) if os.path.exists(os.path.join(out, name))}
        refused = result.returncode == 1 and not written and result.stderr.strip()
        same = result.returncode == 0 and written == expected
        outcomes[(target.lstrip("."), "refused" if refused else "same pages" if same else f"exit {result.returncode}")] += 1
        if refused or same:
            continue
        if result.returncode == 0 and target.endswith(".partial") and len(damaged) == len(left[target]):
            trusted += 1
            continue
        failures += 1
        for folder, files in (("stopped", left), ("input", {**left, target: damaged}), ("output", written)):
            os.makedirs(os.path.join(kept, f"resume-{run}", folder), exist_ok=True)
            for name, data in files.items():
                open(os.path.join(kept, f"resume-{run}", folder, name), "wb").write(data)
        print(f"run {run}: {target} damaged, exit {result.returncode}: "
              f"{result.stderr.decode('utf-8', 'replace').strip()[-300:]}")

    for (target, outcome), count in sorted(outcomes.items()):
        print(f"{target:28} {outcome:12} {count}")
    print(f"{trusted} resumes trusted changed bytes inside the checkpointed partial (not a failure)")
    print(f"{failures} failures")
    sys.exit(1 if failures else 0)
