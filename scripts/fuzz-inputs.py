#!/usr/bin/env python3
"""Damaged inputs never crash `venue` and never leave output behind.

Runs `venue demo` on copies of Fixtures/ with one file damaged at random (lines deleted,
duplicated, cut or replaced by junk; fields swapped for odd values; the file truncated), and
`venue recommend` on copies of the demo's model with bytes flipped or the file cut. Each run must
either succeed (the damage left valid input) or exit 1 with a `file:line:column: expected …`
message (a model: `file: …`), and a failed demo must leave no output folder.

Usage: scripts/fuzz-inputs.py VENUE_BINARY [RUNS] [SEED]      (defaults: 300 runs, seed 1)
A damaged fixture or model that fails is kept as .build/fuzz-failures/N-FILE (the rest of Fixtures/ is unchanged).
"""
import collections, os, random, shutil, subprocess, sys, tempfile

venue = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
originals = {f: open(os.path.join(fixtures, f), "rb").read() for f in sorted(os.listdir(fixtures))}
JUNK = [b"\x00", b"\xff\xfe", b"\xe9", b"\"", b",", b",,,", b"\r", b"\n", b"-1", b"1e400", b"nan", b"inf", b"-0",
        b"99999999999999999999999", b"9223372036854775807", b"2026-02-30", b"2026-13-01", b"9999-12-31", b" ", b"\t", b"\xef\xbb\xbf", b"\xe5\xa4\xa9",
        b"{", b"}", b"[", b"]", b"null", b"true", b"-2147483649", b"4294967296", b"yes", b"brand:", b"all", b"purchase", b"\\"]


def damage(data):
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 4)):
        op, i = rng.randrange(9), rng.randrange(len(lines))
        fields = lines[i].split(b",")
        if op == 0 and len(lines) > 1:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2:
            fields[rng.randrange(len(fields))] = rng.choice(JUNK)
            lines[i] = b",".join(fields)
        elif op == 3:
            p = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:p] + rng.choice(JUNK) + lines[i][p:]
        elif op == 4:
            lines[i] = lines[i][: rng.randint(0, len(lines[i]))]
        elif op == 5:
            lines[i] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 20)))
        elif op == 6 and len(fields) > 1:
            del fields[rng.randrange(len(fields))]
            lines[i] = b",".join(fields)
        elif op == 7:
            fields.insert(rng.randrange(len(fields) + 1), rng.choice(JUNK))
            lines[i] = b",".join(fields)
        elif op == 8:
            return b"\n".join(lines)[: rng.randrange(len(data) + 1)]
    return b"\n".join(lines)


def run(args):
    p = subprocess.run([venue] + args, capture_output=True, timeout=300)
    return p.returncode, p.stderr.decode("utf-8", "replace")


outcomes, failures = collections.Counter(), []
kept = os.path.join(fixtures, "..", ".build", "fuzz-failures")
with tempfile.TemporaryDirectory(prefix="venue-fuzz-") as work:
    for n in range(runs):
        folder, out = os.path.join(work, "fixtures"), os.path.join(work, "out")
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(folder)
        target = rng.choice(sorted(originals))
        for name, data in originals.items():
            open(os.path.join(folder, name), "wb").write(damage(data) if name == target else data)
        status, err = run(["demo", "--fixtures", folder, "--out", out, "--threads", "2"])
        outcomes[(target, status)] += 1
        located = f"{target}:" in err and "expected" in err
        if status not in (0, 1) or (status == 1 and (not located or os.path.exists(out))):
            failures.append((target, status, err[-300:], os.path.exists(out)))
            os.makedirs(kept, exist_ok=True)
            shutil.copy(os.path.join(folder, target), os.path.join(kept, f"{n}-{target}"))
    # Damaged model files.
    out = os.path.join(work, "good")
    assert run(["demo", "--out", out, "--fixtures", fixtures, "--threads", "2"])[0] == 0
    model = open(os.path.join(out, "fixtures.model"), "rb").read()
    damaged = os.path.join(work, "damaged.model")
    for n in range(runs):
        data = bytearray(model)
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        if data == model:
            continue  # every byte written back as it was: nothing damaged
        open(damaged, "wb").write(bytes(data))
        for args in (["--shopper", "S0001"], ["--all", "--out", os.path.join(work, "all.jsonl")]):
            status, err = run(["recommend", "--model", damaged] + args)
            outcomes[("model", args[0], status)] += 1
            if status != 1 or "damaged.model" not in err or os.path.exists(os.path.join(work, "all.jsonl")):
                failures.append(("model", args[0], status, err[-300:]))
                os.makedirs(kept, exist_ok=True)
                shutil.copy(damaged, os.path.join(kept, f"{n}-damaged.model"))
            if os.path.exists(os.path.join(work, "all.jsonl")):
                os.remove(os.path.join(work, "all.jsonl"))
for key, count in sorted(outcomes.items(), key=str):
    print(key, count)
print(f"{len(failures)} failures")
for failure in failures[:10]:
    print(failure)
sys.exit(1 if failures else 0)
