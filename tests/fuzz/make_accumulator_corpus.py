#!/usr/bin/python3
"""Write the seed corpus of accumulator_fuzz.c into corpus/accumulator/.

An independent writer of the serialised fairness accumulator (format in
fairness/serial.c and docs/fairness.md), so the seeds do not come from the
code they test. Run from tests/fuzz: ./make_accumulator_corpus.py
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "accumulator")


def varint(x):
    b = bytearray()
    while True:
        byte = x & 0x7F
        x >>= 7
        if x:
            b.append(byte | 0x80)
        else:
            b.append(byte)
            return bytes(b)


def fnv1a(data):
    h = 0xCBF29CE484222325
    for c in data:
        h ^= c
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def text(s):
    s = s.encode()
    return varint(len(s)) + s


def v1(attrs, counts, scores=None):
    """attrs: [(name, [levels])]; counts: per cell (tn, fp, fn, tp), cells in
    order (first attribute most significant, slot 0 = missing); scores: per
    cell (positives, negatives) or None."""
    body = b"CNDRFAC\0" + struct.pack("<I", 1) + bytes([1 if scores else 0])
    body += varint(len(attrs))
    ncells = 1
    for name, levels in attrs:
        body += text(name) + varint(len(levels)) + b"".join(text(l) for l in levels)
        ncells *= len(levels) + 1
    assert len(counts) == ncells
    body += varint(sum(sum(c) for c in counts))
    for c in counts:
        body += b"".join(varint(x) for x in c)
    if scores:
        for (pos, neg), c in zip(scores, counts):
            assert len(pos) == c[2] + c[3] and len(neg) == c[0] + c[1]
            body += b"".join(struct.pack("<d", s) for s in pos + neg)
    return body + struct.pack("<Q", fnv1a(body))


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    # one attribute, counts only: missing, f, m
    seeds["one_attr"] = v1([("sex", ["f", "m"])], [(1, 0, 0, 2), (50, 10, 10, 30), (25, 2, 15, 8)])
    # two attributes, with the intersection's empty cells
    two = [("sex", ["f", "m"]), ("race", ["a", "b", "c&d"])]
    cnt = [(0, 0, 0, 0)] * 4 + [(3, 1, 2, 4), (0, 0, 0, 0), (5, 0, 1, 1), (0, 0, 0, 0),
                                 (2, 2, 2, 2), (7, 1, 0, 3), (1, 1, 1, 1), (0, 0, 0, 1)]
    seeds["two_attrs"] = v1(two, cnt)
    # scores kept: one attribute, small
    sc = [((), ()), ((0.9, 0.7), (0.2, 0.4, 0.4)), ((1.0,), (0.0, 0.5))]
    cs = [(0, 0, 0, 0), (2, 1, 1, 1), (1, 1, 0, 1)]
    seeds["scores"] = v1([("g", ["x", "y"])], cs, [(list(p), list(n)) for p, n in sc])
    # scores outside [0, 1] (margins): brier and ece undefined
    seeds["margins"] = v1([("g", ["x"])], [(0, 0, 0, 0), (1, 0, 0, 1)], [([], []), ([2.5], [-3.0])])
    # an empty level name and counts near 2^62
    big = 1 << 62
    seeds["big_counts"] = v1([("a", ["", "z"])], [(0, 0, 0, 0), (big, 0, 0, 1), (0, 1, 0, big)])
    # every group undefined for some metric: a single cell
    seeds["single"] = v1([("a", ["only"])], [(0, 0, 0, 0), (0, 0, 0, 5)])
    # a damaged one: the checksum of the rest is wrong
    bad = bytearray(seeds["two_attrs"])
    bad[20] ^= 1
    seeds["bad_checksum"] = bytes(bad)
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
