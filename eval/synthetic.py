#!/usr/bin/env python3
"""Measure the voter match and cross-org linking on generated data, through the real binary.

The people, voter file and org exports come from `experiments/fuzzy/synth.py`: households
sharing an address and usually a last name, fathers and sons with the same names, twins,
namesakes, people who moved (the voter file keeps the old address), nicknames, typos,
spelled-out street types, swapped names, missing fields, different emails in different orgs.
This is the data the v2 kinds were chosen on (FEBRL, in febrl.py, is only measured).

Scenarios:
  crm/yob    a CRM-like org export (5,000 rows) vs an NC-style voter file with birth years only
  crm/full   the same org vs a voter file with full dates of birth
  harsh/full a noisier org (FEBRL-like per-field error rates) vs the full-DOB voter file
  two-orgs   two CRM-like orgs (40% of org B's people also in org A), no voter file
  two-orgs+email2  the same, org A keeping a second email column (`email_2`) for 30% of its
             rows: the address the person gave org B (a work email beside a personal one)
  two-orgs+placeholders  the same two orgs, where some rows carry a placeholder email that a
             required email field forces into CRMs (`none@none.com`, `noemail@gmail.com`):
             5% of each org's rows, some placeholders in both orgs
  crm/full+family-email, two-orgs+family-email  the same, where half of the households with
             several members on org A's list share one email there (a family address)

Usage: python3 eval/synthetic.py [--bin target/release/blindmatch] [--match fuzzy|exact]
       [--voters 40000] [--org 5000] [--seed 21]
"""

import argparse
import csv
import json
import os
import random
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "experiments", "fuzzy"))
sys.path.insert(0, HERE)
import synth  # noqa: E402
from febrl import Run  # noqa: E402

ORG_FLAGS = ["--first-col", "first_name", "--middle-col", "middle_name", "--last-col", "last_name",
             "--address-col", "address", "--city-col", "city", "--zip-col", "zip",
             "--dob-col", "dob", "--phone-col", "phone", "--email-col", "email"]
VOTER_FLAGS = ["--first-col", "first_name", "--middle-col", "middle_name", "--last-col", "last_name",
               "--address-col", "res_street_address", "--city-col", "res_city_desc",
               "--zip-col", "zip_code", "--phone-col", "full_phone_number"]


def write(path, rows, fields):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def hash_file(run, src, org, kind, flags, extra=()):
    out = src + ".hashed"
    run.cmd(["hash", src, "-o", out, "--key", run.key, "--org", org, "--kind", kind] + flags + list(extra))
    return out


def lookup(run, src, table, flags):
    out = src + ".looked-up.csv"
    run.cmd(["lookup", "--key", run.key, "--input", src, "--matches", table, "-o", out] + flags)
    with open(out, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def voter_scenario(run, name, voters, org, dob):
    d = os.path.join(run.work, name.replace("/", "-"))
    os.makedirs(d)
    vpath, opath = os.path.join(d, "voters.csv"), os.path.join(d, "org.csv")
    vrows = [dict(v, truth_ref="t%d" % v["person"]) for v in voters]
    write(vpath, vrows, list(voters[0].keys()) + ["truth_ref"])
    write(opath, org, list(org[0].keys()))
    vflags = VOTER_FLAGS + ["--dob-col", "birth_date" if dob == "full" else "birth_year"]
    hv = hash_file(run, vpath, "voters", "voters", vflags, ["--keep", "truth_ref"])
    ho = hash_file(run, opath, "org", "members", ORG_FLAGS)
    out, secs = run.merge([ho], hv)
    rows = lookup(run, opath, os.path.join(out, "orgs", "org.csv"), ORG_FLAGS)
    registered = {v["person"] for v in voters}
    matchable = sum(1 for r in org if r["person"] in registered)
    matched = [r for r in rows if r.get("voter_status") == "matched"]
    tp = sum(1 for r in matched if r["truth_ref"] == "t%s" % r["person"])
    amb = sum(1 for r in rows if r.get("voter_status") == "ambiguous")
    p, rec = tp / max(1, len(matched)), tp / max(1, matchable)
    print("%-10s precision %.4f  recall %.4f  (%d matched, %d true, %d ambiguous, %d matchable; merge %.2f s)"
          % (name, p, rec, len(matched), tp, amb, matchable, secs))
    return {"precision": p, "recall": rec, "matched": len(matched), "true_positives": tp,
            "ambiguous": amb, "matchable": matchable, "merge_seconds": secs}


def two_orgs(run, a, b, name="two-orgs", a_flags=ORG_FLAGS):
    d = os.path.join(run.work, name)
    os.makedirs(d)
    pa, pb = os.path.join(d, "a.csv"), os.path.join(d, "b.csv")
    write(pa, a, list(a[0].keys()))
    write(pb, b, list(b[0].keys()))
    out, secs = run.merge([hash_file(run, pa, "org-a", "members", a_flags),
                           hash_file(run, pb, "org-b", "members", ORG_FLAGS)])
    with open(os.path.join(out, "summary.json")) as f:
        people = json.load(f)["people"]
    la = lookup(run, pa, os.path.join(out, "orgs", "org-a.csv"), a_flags)
    lb = lookup(run, pb, os.path.join(out, "orgs", "org-b.csv"), ORG_FLAGS)
    in_a = {r["person"] for r in la}
    shared = {r["person"] for r in lb} & in_a
    once_b = {r["person"] for r in lb if r["person"] in shared and r["lists"] == "2"}
    once = sum(1 for x in shared if x in once_b and all(r["lists"] == "2" for r in la if r["person"] == x))
    truth = len(in_a | {r["person"] for r in lb})
    # rows of people on one list only that the merge shows on both: joined with someone else
    alone = [r for r in la + lb if r["person"] not in shared]
    joined = sum(1 for r in alone if r["lists"] == "2")
    print("%-10s shared people counted once %.4f (%d of %d)  people %d / %d (%+.2f%%); "
          "one-list rows shown on 2 lists %d of %d; merge %.2f s"
          % (name, once / max(1, len(shared)), once, len(shared), people, truth, 100 * (people - truth) / truth,
             joined, len(alone), secs))
    return {"shared_counted_once": once / max(1, len(shared)), "people": people, "truth": truth,
            "one_list_rows_on_two": joined}


def with_second_email(persons, rows, seed, share=0.3):
    """Org A's rows with an `email_2` column: for `share` of them, the email the person gives
    org B (synth's slot 1)."""
    r = random.Random(seed * 31 + 7)
    emails = {p["id"]: p["emails"][1] for p in persons}
    return [dict(x, email_2=emails[x["person"]] if r.random() < share else "") for x in rows]


PLACEHOLDERS = ["none@none.com", "noemail@gmail.com", "na@na.com"]


def with_placeholders(rows, seed, share=0.05, pick=(0, 1)):
    """Rows where `share` of the emails are replaced by one of the placeholders in `pick`."""
    r = random.Random(seed * 37 + 11 + sum(pick))
    return [dict(x, email=PLACEHOLDERS[r.choice(pick)]) if r.random() < share else x for x in rows]


def with_family_email(persons, rows, seed, share=0.5):
    """Rows where, in `share` of the households with several members among them, every member
    has the email of the household's first member on the list."""
    r = random.Random(seed * 41 + 3)
    household = {p["id"]: p["household"] for p in persons}
    first = {}
    for x in rows:
        first.setdefault(household[x["person"]], x)
    members = {}
    for x in rows:
        members.setdefault(household[x["person"]], []).append(x)
    shared = {h for h, xs in members.items() if len(xs) > 1 and r.random() < share}
    out = []
    for x in rows:
        h = household[x["person"]]
        if h in shared and first[h]["email"]:
            x = dict(x, email=first[h]["email"])
        out.append(x)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="target/release/blindmatch")
    ap.add_argument("--match", default="")
    ap.add_argument("--voters", type=int, default=40000)
    ap.add_argument("--org", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="synthetic-") as work:
        run = Run(os.path.abspath(args.bin), work, args.match)
        for profile, dob in (("crm", "yob"), ("crm", "full"), ("harsh", "full")):
            persons, voters, a, b = synth.build(args.voters, args.seed, args.org, profile)
            name = "%s/%s" % (profile, dob)
            results[name] = voter_scenario(run, name, voters, a, dob)
            if profile == "crm" and dob == "full":
                family = with_family_email(persons, a, args.seed)
                results[name + "+family-email"] = voter_scenario(run, name + "+family-email", voters, family, dob)
                results["two-orgs+family-email"] = two_orgs(run, family, b, "two-orgs+family-email")
                results["two-orgs"] = two_orgs(run, a, b)
                results["two-orgs+email2"] = two_orgs(
                    run, with_second_email(persons, a, args.seed), b, "two-orgs+email2",
                    ORG_FLAGS + ["--email-col", "email_2"])
                results["two-orgs+placeholders"] = two_orgs(
                    run, with_placeholders(a, args.seed, pick=(0, 1)),
                    with_placeholders(b, args.seed, pick=(1, 2)), "two-orgs+placeholders")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
