#!/usr/bin/env python3
"""Damaged inputs never crash `venue` and never leave output behind.

Runs `venue demo` on copies of Fixtures/ with one file damaged at random (lines deleted,
duplicated, cut or replaced by junk; fields swapped for odd values; the file truncated), and
`venue recommend` on copies of the demo's model with bytes flipped or overwritten (eight 0xFF
bytes, a NaN) or the file cut, and `venue merge-exposure` on two shards' exposure reports, one
of them damaged as the fixtures are. Half the damaged models get their size field and checksum made
to match again, as a hand-made file would, so the damage reaches the section parsers. Each run
must either succeed (the damage left valid input) or exit 1 with a `file:line:column: expected …`
message (a model: `file: …`), and a failed demo must leave no output folder.

Usage: scripts/fuzz-inputs.py VENUE_BINARY [RUNS] [SEED]      (defaults: 300 runs, seed 1)
A damaged fixture or model that fails is kept as .build/fuzz-failures/N-FILE (the rest of Fixtures/ is unchanged).
"""
import collections, os, re, random, shutil, struct, subprocess, sys, tempfile

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


def checksum(body):
    """WordChecksum (the model file checksum): multiply-rotate over little-endian 8-byte words, tail bytes folded in."""
    mask = (1 << 64) - 1
    h = 0x243F6A8885A308D3 ^ len(body)
    words = len(body) // 8
    for (w,) in struct.iter_unpack("<Q", body[: words * 8]):
        h = ((h ^ w) * 0x9E3779B97F4A7C15) & mask
        h = ((h << 31) | (h >> 33)) & mask
    for b in body[words * 8 :]:
        h = ((h ^ b) * 0x100000001B3) & mask
    h ^= h >> 29
    return (h * 0xBF58476D1CE4E5B9) & mask


def reseal(data):
    """`data` (a model without its last 8 bytes) with its size field and checksum matching again."""
    body = bytearray(data)
    body[16:24] = struct.pack("<Q", len(body) + 8)
    return bytes(body) + struct.pack("<Q", checksum(bytes(body)))


def section_lengths(model):
    """The offsets of the sections' length fields in `model`, and of the file's size field."""
    offsets, at = [16], 24
    while at < len(model) - 8:
        offsets.append(at + 4)
        at += 12 + struct.unpack_from("<Q", model, at + 4)[0]
    return offsets


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
    assert reseal(model[:-8]) == model, "the checksum here is not ModelFile's"
    damaged, lengths = os.path.join(work, "damaged.model"), section_lengths(model)
    for n in range(runs):
        resealed = rng.random() < 0.5
        data = bytearray(model[:-8] if resealed else model)
        if rng.random() < 0.3:
            data = data[: rng.randrange(24 if resealed else 0, len(data))]
        else:
            for _ in range(rng.randint(1, 8)):
                i, op = rng.randrange(len(data)), rng.randrange(4)
                if op == 0:
                    data[i] = rng.randrange(256)
                elif op == 3:  # a size or length field: past Int.max, or any other value
                    i = rng.choice(lengths)
                    data[i : i + 8] = b"\xff" * 8 if rng.random() < 0.5 else struct.pack("<Q", rng.randrange(1 << 64))
                else:
                    data[i : i + 8] = b"\xff" * 8 if op == 1 else struct.pack("<f", float("nan")) * 2
        data = reseal(data) if resealed else bytes(data)
        if data == model:
            continue  # every byte written back as it was: nothing damaged
        open(damaged, "wb").write(data)
        for args in (["--shopper", "S0001"], ["--all", "--out", os.path.join(work, "all.jsonl")]):
            status, err = run(["recommend", "--model", damaged] + args)
            outcomes[("model", "resealed" if resealed else "as damaged", args[0], status)] += 1
            # A resealed file may still be a valid model (a factor changed to another number).
            if status not in ((0, 1) if resealed else (1,)) or (status == 1 and "damaged.model" not in err) or (
                status == 1 and os.path.exists(os.path.join(work, "all.jsonl"))
            ):
                failures.append(("model", "resealed" if resealed else "as damaged", args[0], status, err[-300:]))
                os.makedirs(kept, exist_ok=True)
                shutil.copy(damaged, os.path.join(kept, f"{n}-damaged.model"))
            if os.path.exists(os.path.join(work, "all.jsonl")):
                os.remove(os.path.join(work, "all.jsonl"))
    # Damaged shard exposure reports, merged with the other shard's intact one.
    shards = os.path.join(work, "shards")
    for i in (1, 2):
        assert run(["generate", "--model", os.path.join(out, "fixtures.model"), "--events", f"{fixtures}/events.csv",
                    "--catalog", f"{fixtures}/catalog.csv", "--coupons", f"{fixtures}/coupons.csv",
                    "--layout", f"{fixtures}/layout.json", "--out", shards, "--shard", f"{i}/2"])[0] == 0
    reports = [os.path.join(shards, f"exposure.shard-{i}-of-2.csv") for i in (1, 2)]
    intact = [open(r, "rb").read() for r in reports]
    merged = os.path.join(work, "merged.csv")
    for n in range(runs):
        which = rng.randrange(2)
        open(reports[which], "wb").write(damage(intact[which]))
        status, err = run(["merge-exposure"] + reports + ["--out", merged])
        outcomes[("exposure report", which + 1, status)] += 1
        # Brands deleted or repeated in shard 1 are found where shard 2 disagrees with it.
        located = re.search(r"exposure\.shard-[12]-of-2\.csv:.* expected", err) is not None
        if status not in (0, 1) or (status == 1 and (not located or os.path.exists(merged))):
            failures.append(("exposure report", which + 1, status, err[-300:]))
            os.makedirs(kept, exist_ok=True)
            shutil.copy(reports[which], os.path.join(kept, f"{n}-exposure.shard-{which + 1}-of-2.csv"))
        open(reports[which], "wb").write(intact[which])
        if os.path.exists(merged):
            os.remove(merged)
for key, count in sorted(outcomes.items(), key=str):
    print(key, count)
print(f"{len(failures)} failures")
for failure in failures[:10]:
    print(failure)
sys.exit(1 if failures else 0)
