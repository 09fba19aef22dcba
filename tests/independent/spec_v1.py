#!/usr/bin/env python3
"""An independent implementation of TOKEN-SPEC version 1, written from the spec alone.

It shares no code with the Rust crate: Python's standard library (hmac, hashlib,
unicodedata) and the spec's text. The test suite uses it three ways:

  spec_v1.py vectors KEYHEX > tests/data/token_vectors.csv   (regenerate the vector file)
  spec_v1.py check tests/data/token_vectors.csv              (this implementation agrees)
  spec_v1.py hash KEYHEX ROUND INPUT.csv                     (token rows of a plain CSV with
      columns email,phone,first,last,zip,address,dob, sorted, one per line)

Known limit: "alphabetic" is approximated by str.isalpha() (Unicode categories L*), which
differs from the Alphabetic property only for rare characters the vectors avoid.
"""

import csv
import datetime
import hashlib
import hmac
import sys
import unicodedata

KINDS = ["email", "phone", "name_zip", "name_addr", "name_yob_zip"]
FIELDS = ["email", "phone", "first", "last", "zip", "address", "dob"]

# The Unicode White_Space property, listed explicitly (str.strip() uses a different set).
WHITE_SPACE = set(
    [chr(c) for c in range(0x09, 0x0E)]
    + ["\x20", "\x85", "\xa0", "\u1680"]
    + [chr(c) for c in range(0x2000, 0x200B)]
    + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
)


def trim(s):
    start, end = 0, len(s)
    while start < end and s[start] in WHITE_SPACE:
        start += 1
    while end > start and s[end - 1] in WHITE_SPACE:
        end -= 1
    return s[start:end]


def ascii_lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def norm_email(raw):
    s = ascii_lower(trim(raw))
    if s.count("@") != 1:
        return None
    local, domain = s.split("@")
    if not local or not domain:
        return None
    if domain == "gmail.com":
        local = local.replace(".", "")
        plus = local.find("+")
        if plus >= 0:
            local = local[:plus]
    if not local:
        return None
    return local + "@" + domain


def norm_phone(raw, cc="1"):
    s = raw
    low = s.lower()
    cuts = [i for i in (low.find("ext"), low.find("x"), low.find("#")) if i >= 0]
    if cuts:
        s = s[: min(cuts)]
    if any(c.isalpha() for c in s):
        return None
    d = "".join(c for c in s if "0" <= c <= "9")
    stripped = trim(s)
    if stripped.startswith("+"):
        n = d
    elif cc == "1":
        if d.startswith("011"):
            n = d[3:]
        elif len(d) == 10:
            n = "1" + d
        elif len(d) == 11 and d.startswith("1"):
            n = d
        else:
            return None
    else:
        if d.startswith("00"):
            n = d[2:]
        else:
            n = cc + (d[1:] if d.startswith("0") else d)
    if not (10 <= len(n) <= 15) or n[0] == "0":
        return None
    if n[0] == "1":
        if len(n) != 11 or n[1] in "01" or n[4] in "01":
            return None
    return "+" + n


def fold(raw):
    s = unicodedata.normalize("NFKD", raw)
    s = "".join(c for c in s if not unicodedata.category(c).startswith("M"))
    return s.lower().replace("\u03c2", "\u03c3")


def letters(s):
    return "".join(c for c in s if c.isalpha())


def norm_first(raw):
    out = letters(fold(trim(raw)))
    return out or None


def norm_last(raw):
    s = fold(trim(raw))
    words = "".join(" " if c in WHITE_SPACE else c for c in s).split()
    if len(words) > 1 and letters(words[-1]) in ("jr", "sr", "ii", "iii", "iv", "v"):
        # Drop the last word: everything from its last occurrence on.
        s = s[: s.rfind(words[-1])]
    out = letters(s)
    return out or None


def norm_zip(raw):
    s = trim(raw)
    if s.endswith(".0"):
        s = s[:-2]
    s = s.split("-")[0]
    d = "".join(c for c in s if "0" <= c <= "9")
    if len(d) in (5, 9):
        return d[:5]
    if len(d) in (3, 4):
        return d.rjust(5, "0")
    return None


def norm_house(raw):
    s = trim(raw)
    i = 0
    while i < len(s) and "0" <= s[i] <= "9":
        i += 1
    n = s[:i].lstrip("0")
    return n or None


def is_digits(s):
    return len(s) > 0 and all("0" <= c <= "9" for c in s)


def norm_yob(raw, current_year=None):
    current_year = current_year or datetime.datetime.now(datetime.timezone.utc).year
    s = trim(raw)
    for sep in (" ", "T"):
        if sep in s:
            s = s.split(sep)[0]
    y = m = d = None
    if len(s) == 4 and is_digits(s):
        y = s
    elif len(s) == 8 and is_digits(s):
        y, m, d = s[:4], s[4:6], s[6:]
    elif len(s) == 10 and s[4] == s[7] and s[4] in "-/" and is_digits(s[:4] + s[5:7] + s[8:]):
        y, m, d = s[:4], s[5:7], s[8:]
    else:
        parts = s.split("/")
        if (
            len(parts) == 3
            and 1 <= len(parts[0]) <= 2
            and 1 <= len(parts[1]) <= 2
            and len(parts[2]) == 4
            and all(is_digits(p) for p in parts)
        ):
            m, d, y = parts
    if y is None:
        return None
    if m is not None and not 1 <= int(m) <= 12:
        return None
    if d is not None and not 1 <= int(d) <= 31:
        return None
    if not 1900 <= int(y) <= current_year:
        return None
    return y


def hkdf_sha256(ikm, salt, info, length=32):
    prk = hmac.new(salt if salt else b"\0" * 32, ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


def tokens(key, round_label, row):
    """The five tokens ('' where a kind does not form) of a dict with FIELDS."""
    def present(name):
        v = row.get(name) or ""
        return v if trim(v) else None

    def part(name, f):
        v = present(name)
        return f(v) if v is not None else None

    first, last = part("first", norm_first), part("last", norm_last)
    zip5, house, yob = part("zip", norm_zip), part("address", norm_house), part("dob", norm_yob)
    values = {
        "email": part("email", norm_email),
        "phone": part("phone", norm_phone),
        "name_zip": "|".join([first, last, zip5]) if first and last and zip5 else None,
        "name_addr": "|".join([first, last, house, zip5]) if first and last and house and zip5 else None,
        "name_yob_zip": "|".join([first, last, yob, zip5]) if first and last and yob and zip5 else None,
    }
    out = []
    for kind in KINDS:
        v = values[kind]
        if v is None:
            out.append("")
            continue
        subkey = hkdf_sha256(key, round_label.encode(), ("blindmatch/v1/" + kind).encode())
        out.append(hmac.new(subkey, v.encode("utf-8"), hashlib.sha256).hexdigest())
    return out


VECTOR_INPUTS = [
    # round, email, phone, first, last, zip, address, dob
    ("", "TEst.TEst+123@GMail.Com", "(650) 555-1212", "José", "O'Brien-Smith", "2139", "123B Main St", "1985-07-04"),
    ("", "  jane.doe@example.org ", "+44 20 7946 0958", "Mary Ann", "King Jr.", "94110-1234", "0042 Elm", "7/4/1985"),
    ("", "a@ba@z.com", "555-1212", "", "Nguyễn", "941101234", "PO Box 12", "1899"),
    ("", "+test@test.com", "650.555.1212 ext 9", "ZOË", "Müller", "02139.0", "7 Rue", "19850704T00:00"),
    ("", ".+@gmail.com", "1-650-555-1212", "Σίσυφος", "ΟΔΥΣΣΕΥΣ", "501", "12", "1985/07/04"),
    ("", "ÜNI@Example.COM", "011 44 20 7946 0958", "Ｊｏｈｎ", "Gates III", "12", "1 Main", "1985-13-01"),
    ("", "x@y", "150-555-1212", "Anne-Marie", "Smith V", "ABCDE", "99 Elm", "1970"),
    ("", "", "", "李", "王", "10001", "88 Broadway", "2001-02-03 00:00:00"),
    ("nyc-primary-2026", "TEst.TEst+123@GMail.Com", "(650) 555-1212", "José", "O'Brien-Smith", "2139", "123B Main St", "1985-07-04"),
    ("nyc-primary-2026", "organizer@union.example", "6505550000", "Dana", "Lee", "10027", "500 W 120th St", "1990"),
]


def main(argv):
    if len(argv) >= 3 and argv[1] == "vectors":
        key = bytes.fromhex(argv[2])
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["key", "round"] + ["raw_" + f for f in FIELDS] + KINDS)
        for r in VECTOR_INPUTS:
            row = dict(zip(FIELDS, r[1:]))
            w.writerow([key.hex()] + list(r) + tokens(key, r[0], row))
        return 0
    if len(argv) >= 3 and argv[1] == "check":
        with open(argv[2], newline="", encoding="utf-8") as f:
            lines = [l for l in f if not l.startswith("#")]
        rows = list(csv.DictReader(lines))
        bad = 0
        for row in rows:
            raw = {f: row["raw_" + f] for f in FIELDS}
            got = tokens(bytes.fromhex(row["key"]), row["round"], raw)
            want = [row[k] for k in KINDS]
            if got != want:
                bad += 1
                print("mismatch in vector row", rows.index(row) + 1, file=sys.stderr)
        print(f"{len(rows) - bad} vectors agree, {bad} differ")
        return 1 if bad or not rows else 0
    if len(argv) >= 5 and argv[1] == "hash":
        key, round_label = bytes.fromhex(argv[2]), argv[3]
        with open(argv[4], newline="", encoding="utf-8-sig") as f:
            out = sorted(",".join(tokens(key, round_label, row)) for row in csv.DictReader(f))
        sys.stdout.write("".join(line + "\n" for line in out))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
