#!/usr/bin/env python3
"""An independent implementation of the kinds token spec version 2 adds, written from
docs/token-spec-v2.md (sections 3-7) alone, on top of spec_v1.py (same folder) for v1's
normalization and tokens.

It shares no code with the Rust crate: Python's standard library, the spec's text, and the
spec's data tables read as files (data/*.csv, src/spec/kinds-v2.csv). Used three ways:

  spec_v2.py vectors KEYHEX > tests/data/token_vectors_v2.csv   (regenerate the vector file)
  spec_v2.py check tests/data/token_vectors_v2.csv              (this implementation agrees)
  spec_v2.py hash KEYHEX ROUND INPUT.csv [voters]               (rows of a plain CSV with columns
      email,phone,first,middle,last,zip,address,city,dob and optionally email2..email5,
      phone2..phone5 (further email and phone columns, in that order): the v1 cells then every
      v2 kind's cell, comma-joined, sorted, one per line; `voters` applies the drop rule)

Known limit, as in spec_v1.py: "alphabetic" is str.isalpha() (Unicode categories L*).
"""

import csv
import datetime
import hashlib
import hmac
import os
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spec_v1 as V1  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIELDS = ["email", "phone", "first", "middle", "last", "zip", "address", "city", "dob", "email2", "phone2"]
# The roles with several columns, one value each (section 3, email_any and phone_any).
# At most five columns each (section 3): `email`, `email2` .. `email5`, likewise `phone`.
CONTACTS = {
    "email": (["email"] + ["email%d" % i for i in range(2, 6)], V1.norm_email),
    "phone": (["phone"] + ["phone%d" % i for i in range(2, 6)], V1.norm_phone),
}


def table(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        rows = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    return [r.split(",") for r in rows[1:]]


SUFFIX = {w: s for w, s in table("data/street_suffixes.csv")}
DIRECTIONAL = {r[0] for r in table("data/directionals.csv")}
UNIT = {r[0] for r in table("data/unit_designators.csv")}
CITY_WORD = {w: s for w, s in table("data/city_words.csv")}
KINDS = [(name, atoms.split()) for name, atoms in table("src/spec/kinds-v2.csv")]
CANON = {}
NAME1 = set()
for name1, rel, name2 in table("data/nicknames.csv"):
    if rel == "has_nickname":
        NAME1.add(name1)
        CANON.setdefault(name2, set()).add(name1)


def dob(raw):
    s = V1.trim(raw)
    for sep in (" ", "T"):
        s = s.split(sep)[0]
    if V1.norm_yob(s) is None or len(s) == 4:
        return None
    if len(s) == 8 and V1.is_digits(s):
        y, m, d = s[:4], s[4:6], s[6:]
    elif len(s) == 10 and s[4] in "-/":
        y, m, d = s[:4], s[5:7], s[8:]
    else:
        m, d, y = s.split("/")
    try:
        return datetime.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def nysiis(name):
    s = "".join(c.upper() for c in name if "a" <= c <= "z")
    if not s:
        return None
    for a, b in (("MAC", "MCC"), ("KN", "NN"), ("K", "C"), ("PH", "FF"), ("PF", "FF"), ("SCH", "SSS")):
        if s.startswith(a):
            s = b + s[len(a):]
    if s[-2:] in ("EE", "IE"):
        s = s[:-2] + "Y"
    if s[-2:] in ("DT", "RT", "RD", "NT", "ND"):
        s = s[:-2] + "D"
    c = list(s)
    key = c[0]
    vowel = "AEIOU"
    for i in range(1, len(c)):
        prev, cur = c[i - 1], c[i]
        nxt = c[i + 1] if i + 1 < len(c) else None
        nxt2 = c[i + 2] if i + 2 < len(c) else None
        if cur == "E" and nxt == "V":
            t = "AF"
        elif cur in vowel:
            t = "A"
        elif cur in "QZM":
            t = {"Q": "G", "Z": "S", "M": "N"}[cur]
        elif cur == "K":
            t = "NN" if nxt == "N" else "C"
        elif (cur, nxt, nxt2) == ("S", "C", "H"):
            t = "SSS"
        elif (cur, nxt) == ("P", "H"):
            t = "FF"
        elif cur == "H" and (prev not in vowel or nxt is None or nxt not in vowel):
            t = prev
        elif cur == "W" and prev in vowel:
            t = prev
        else:
            t = cur
        for j, ch in enumerate(t):
            if i + j < len(c):
                c[i + j] = ch
        if c[i] != c[i - 1]:
            key += c[i]
    if len(key) > 1:
        if key.endswith("S"):
            key = key[:-1]
        if len(key) > 2 and key.endswith("AY"):
            key = key[:-2] + "Y"
        if key.endswith("A"):
            key = key[:-1]
    return key[:6] or None


def first_nick(f):
    canon = CANON.get(f, set())
    if not canon or len(canon) > 4:
        return [f]
    return sorted(canon | ({f} if f in NAME1 else set()))


def street(raw):
    s = V1.fold(V1.trim(raw).replace(".", "")).replace("#", " # ")
    s = "".join(c if (c.isalpha() or "0" <= c <= "9" or c in "#/") else " " for c in s)
    w = s.split()
    if w and "0" <= w[0][0] <= "9":
        w = w[1:]
        if w and "/" in w[0] and all("0" <= c <= "9" or c == "/" for c in w[0]):
            w = w[1:]
    w = [x.replace("/", "") for x in w]
    w = [x for x in w if x]
    for i in range(1, len(w)):
        if w[i] == "#" or w[i] in UNIT:
            w = w[:i]
            break
    w = [x for x in w if x != "#"]
    if len(w) >= 3 and w[0] in DIRECTIONAL:
        w = w[1:]
    if len(w) >= 3 and w[-1] in DIRECTIONAL:
        w = w[:-1]
    if len(w) >= 2 and w[-1] in SUFFIX:
        w[-1] = SUFFIX[w[-1]]
    return "".join(w) or None


def city(raw):
    words = V1.fold(V1.trim(raw).replace(".", "")).split()
    out = "".join(CITY_WORD.get(V1.letters(x), V1.letters(x)) for x in words)
    return V1.letters(out) or None


def contact_values(row, role):
    """The raw values of a role's columns whose v1 normalization is valid, in column order."""
    columns, norm = CONTACTS[role]
    return [row[c] for c in columns if row.get(c) is not None and V1.trim(row[c]) and norm(row[c])]


def v1_row(row):
    """The row as v1 reads it: email and phone are the first valid value of their columns."""
    out = dict(row)
    for role in CONTACTS:
        valid = contact_values(row, role)
        if valid:
            out[role] = valid[0]
    return out


def atoms(row):
    any_of = {role: sorted({CONTACTS[role][1](v) for v in contact_values(row, role)}) for role in CONTACTS}
    row = v1_row(row)

    def part(name, f):
        v = row.get(name)
        return f(v) if v is not None and V1.trim(v) else None

    first, last = part("first", V1.norm_first), part("last", V1.norm_last)
    fn, ln = (nysiis(first) if first else None), (nysiis(last) if last else None)
    mid = part("middle", V1.norm_first)
    one = lambda v: [v] if v else []  # noqa: E731
    return {
        "first": one(first),
        "last": one(last),
        "first_nick": first_nick(first) if first else [],
        "first_nysiis": one(fn),
        "last_nysiis": one(ln),
        "first_init": one(first[0] if first else None),
        "middle_init": one(mid[0] if mid else None),
        "names_sorted": ["|".join(sorted([first, last], key=lambda x: x.encode()))] if first and last else [],
        "names_sorted_nysiis": ["|".join(sorted([fn, ln]))] if fn and ln else [],
        "name_any_nysiis": sorted({fn, ln}) if fn and ln else [],
        "dob": one(part("dob", dob)),
        "yob": one(part("dob", V1.norm_yob)),
        "house": one(part("address", V1.norm_house)),
        "street": one(part("address", street)),
        "city": one(part("city", city)),
        "zip5": one(part("zip", V1.norm_zip)),
        "email": one(part("email", V1.norm_email)),
        "phone": one(part("phone", V1.norm_phone)),
        "email_any": any_of["email"],
        "phone_any": any_of["phone"],
    }


def cells(key, round_label, row):
    """The v1 cells then the v2 cells of one input row."""
    out = V1.tokens(key, round_label, v1_row(row))
    a = atoms(row)
    for name, parts in KINDS:
        values = [[]]
        for p in parts:
            values = [v + [x] for v in values for x in a[p]]
        subkey = V1.hkdf_sha256(key, round_label.encode(), ("blindmatch/v2/" + name).encode())
        toks = sorted({hmac.new(subkey, "|".join(v).encode(), hashlib.sha256).hexdigest()[:16] for v in values})
        out.append(" ".join(toks))
    return out


def drop_shared(rows):
    """Spec section 7: a token (its first 16 hex characters) in the cells of more than one row
    leaves every cell."""
    seen = Counter()
    for r in rows:
        seen.update({(k, t[:16]) for k, c in enumerate(r) for t in c.split()})
    return [[" ".join(t for t in c.split() if seen[(k, t[:16])] == 1) for k, c in enumerate(r)] for r in rows]


VECTOR_INPUTS = [
    # round, email, phone, first, middle, last, zip, address, city, dob, email2, phone2
    ("", "", "", "Bob", "Allen", "O'Brien-Smith Jr.", "63101-1234", "123 N. Main Street Apt 4B", "St. Louis", "3/7/1980", "", ""),
    ("", "", "", "José", "", "Núñez", "2710", "77 Oak Ct #3", "Winston-Salem", "19651013", "Jose.N@Example.org", "919.555.0143"),
    ("", "a@b.org", "(650) 555-1212", "Smith", "J", "Jim", "27601", "12 North St", "MT AIRY", "1975-02-29", "c@d.org", "650-555-1212"),
    ("", "not an email", "12", "Robert", "", "Lee", "2139", "123 1/2 Main St", "Ft. Worth", "2000-02-29", "r.lee@example.com", "+44 20 7946 0958"),
    ("r-2026", "", "", "Jim", "Q.", "Macintosh", "27601", "5 Elm Avenue NW", "Raleigh", "7/4/1985", "", ""),
    ("", "", "", "Σίσυφος", "", "Knuth", "10001", "15 W Highway 55", "", "1899-12-31", "", ""),
]


def main(argv):
    if len(argv) >= 3 and argv[1] == "vectors":
        key = bytes.fromhex(argv[2])
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["key", "round"] + ["raw_" + f for f in FIELDS] + V1.KINDS + [n for n, _ in KINDS])
        for r in VECTOR_INPUTS:
            row = dict(zip(FIELDS, r[1:]))
            w.writerow([key.hex()] + list(r) + cells(key, r[0], row))
        return 0
    if len(argv) >= 3 and argv[1] == "check":
        with open(argv[2], newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(l for l in f if not l.startswith("#")))
        names = V1.KINDS + [n for n, _ in KINDS]
        bad = sum(
            cells(bytes.fromhex(r["key"]), r["round"], {f: r["raw_" + f] for f in FIELDS})
            != [r[n] for n in names]
            for r in rows
        )
        print(f"{len(rows) - bad} vectors agree, {bad} differ")
        return 1 if bad or not rows else 0
    if len(argv) >= 5 and argv[1] == "hash":
        key, round_label = bytes.fromhex(argv[2]), argv[3]
        with open(argv[4], newline="", encoding="utf-8-sig") as f:
            rows = [cells(key, round_label, row) for row in csv.DictReader(f)]
        if argv[5:] == ["voters"]:
            rows = drop_shared(rows)
        sys.stdout.write("".join(line + "\n" for line in sorted(",".join(r) for r in rows)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
