"""Field normalization for token spec v1 and the v2 draft (docs/token-spec-v2.md).

Standard library only. This is the experiment's reference of the draft rules; the Rust
implementation must follow docs/token-spec-v2.md, which is normative where they differ.
"""
import csv
import datetime
import os
import unicodedata

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data")


def _table(name):
    with open(os.path.join(DATA, name), newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader(line for line in f if not line.startswith("#"))]
    return rows[1:]


SUFFIX = {w: s for w, s in _table("street_suffixes.csv")}
DIRECTIONAL = {w: s for w, s in _table("directionals.csv")}
UNIT = {r[0] for r in _table("unit_designators.csv")}
CITY_WORD = {w: s for w, s in _table("city_words.csv")}


def _nicknames():
    canon = {}
    names1 = set()
    for name1, rel, name2 in _table("nicknames.csv"):
        if rel != "has_nickname":
            continue
        names1.add(name1)
        canon.setdefault(name2, set()).add(name1)
    return canon, names1


NICK_CANON, NICK_NAME1 = _nicknames()
NICK_MAX = 4  # more direct canonical forms than this: no expansion (see spec)

GENERATIONAL = {"jr", "sr", "ii", "iii", "iv", "v"}


def _fold(s):
    """NFKD, drop marks, full lowercase, final sigma as sigma (spec v1 names step 1)."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.category(c).startswith("M"))
    return s.lower().replace("\u03c2", "\u03c3")


# ---------------------------------------------------------------- spec v1 fields

def name_first(v):
    if v is None:
        return None
    s = "".join(c for c in _fold(v) if c.isalpha())
    return s or None


def name_last(v):
    if v is None:
        return None
    s = _fold(v)
    words = s.split()
    if len(words) > 1 and "".join(c for c in words[-1] if c.isalpha()) in GENERATIONAL:
        s = " ".join(words[:-1])
    s = "".join(c for c in s if c.isalpha())
    return s or None


def zip5(v):
    if v is None:
        return None
    s = v.strip()
    if s.endswith(".0"):
        s = s[:-2]
    s = s.split("-", 1)[0]
    d = "".join(c for c in s if "0" <= c <= "9")
    if len(d) == 9:
        return d[:5]
    if len(d) == 5:
        return d
    if len(d) in (3, 4):
        return d.zfill(5)
    return None


def house(v):
    if v is None:
        return None
    s = v.strip()
    i = 0
    while i < len(s) and "0" <= s[i] <= "9":
        i += 1
    d = s[:i].lstrip("0")
    return d or None


def _date_parts(v):
    """(year, month or None, day or None) per spec v1 yob formats, or None."""
    if v is None:
        return None
    s = v.strip()
    for sep in (" ", "T"):
        s = s.split(sep, 1)[0]
    y = m = d = None
    if len(s) == 4 and s.isdigit():
        y = int(s)
    elif len(s) == 10 and s[4] in "-/" and s[7] == s[4] and (s[:4] + s[5:7] + s[8:]).isdigit():
        y, m, d = int(s[:4]), int(s[5:7]), int(s[8:])
    elif len(s) == 8 and s.isdigit():
        y, m, d = int(s[:4]), int(s[4:6]), int(s[6:])
    elif s.count("/") == 2:
        a, b, c = s.split("/")
        if 1 <= len(a) <= 2 and 1 <= len(b) <= 2 and len(c) == 4 and (a + b + c).isdigit():
            m, d, y = int(a), int(b), int(c)
        else:
            return None
    else:
        return None
    if m is not None and not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    if not (1900 <= y <= datetime.datetime.utcnow().year):
        return None
    return y, m, d


def yob(v):
    p = _date_parts(v)
    return str(p[0]) if p else None


# ---------------------------------------------------------------- v2 fields

def dob(v):
    """Full date of birth YYYY-MM-DD: v1's formats with month and day, a real calendar date."""
    p = _date_parts(v)
    if not p or p[1] is None:
        return None
    try:
        datetime.date(*p)
    except ValueError:
        return None
    return "%04d-%02d-%02d" % p


def middle_initial(v):
    f = name_first(v)
    return f[0] if f else None


def first_initial(first_norm):
    return first_norm[0] if first_norm else None


def _words(v):
    """Fold; every character that is not a letter, a digit, '#' or '/' becomes a space; '#' is a word."""
    s = _fold(v).replace("#", " # ")
    return "".join(c if (c.isalnum() or c in "#/") else " " for c in s).split()


def street(v):
    """Street name: house number, unit and directionals removed, last word per USPS C1."""
    if v is None:
        return None
    w = _words(v.replace(".", ""))
    # the house number word (a word starting with a digit), then a fraction such as 1/2
    if w and w[0][0].isdigit():
        w = w[1:]
        if w and "/" in w[0] and w[0].replace("/", "").isdigit():
            w = w[1:]
    w = [x for x in ("".join(c for c in x if c != "/") for x in w) if x]
    # cut at the first unit designator or '#' that is not the first word
    for i in range(1, len(w)):
        if w[i] == "#" or w[i] in UNIT:
            w = w[:i]
            break
    w = [x for x in w if x != "#"]
    # directionals: leading, then trailing, each only when at least two words remain
    if len(w) >= 3 and w[0] in DIRECTIONAL:
        w = w[1:]
    if len(w) >= 3 and w[-1] in DIRECTIONAL:
        w = w[:-1]
    if len(w) >= 2 and w[-1] in SUFFIX:
        w[-1] = SUFFIX[w[-1]]
    s = "".join(w)
    return s or None


def city(v):
    if v is None:
        return None
    w = _fold(v.replace(".", "")).split()
    w = [CITY_WORD.get("".join(c for c in x if c.isalpha()), x) for x in w]
    s = "".join(c for c in "".join(w) if c.isalpha())
    return s or None


def nick_set(first_norm):
    """Nickname-canonical forms of a normalized first name: direct canonical forms only."""
    if not first_norm:
        return ()
    canon = NICK_CANON.get(first_norm, set())
    if not canon or len(canon) > NICK_MAX:
        return (first_norm,)
    out = set(canon)
    if first_norm in NICK_NAME1:
        out.add(first_norm)
    return tuple(sorted(out))


def nysiis(name_norm, strict=True):
    """NYSIIS as in Apache commons-codec Nysiis (rphonetic::Nysiis), strict = at most 6 chars.

    Input: a normalized name; only ASCII a-z are kept (other letters are dropped)."""
    if not name_norm:
        return None
    s = "".join(c for c in name_norm.upper() if "A" <= c <= "Z")
    if not s:
        return None
    if s.startswith("MAC"):
        s = "MCC" + s[3:]
    if s.startswith("KN"):
        s = "NN" + s[2:]
    if s.startswith("K"):
        s = "C" + s[1:]
    if s.startswith("PH") or s.startswith("PF"):
        s = "FF" + s[2:]
    if s.startswith("SCH"):
        s = "SSS" + s[3:]
    if s.endswith("EE") or s.endswith("IE"):
        s = s[:-2] + "Y"
    if s[-2:] in ("DT", "RT", "RD", "NT", "ND"):
        s = s[:-2] + "D"
    vowels = "AEIOU"
    chars = list(s)
    key = [chars[0]]
    i = 1
    n = len(chars)
    while i < n:
        prev, cur = chars[i - 1], chars[i]
        nxt = chars[i + 1] if i + 1 < n else None
        nn = chars[i + 2] if i + 2 < n else None
        if cur == "E" and nxt == "V":
            t = "AF"
        elif cur in vowels:
            t = "A"
        elif cur == "Q":
            t = "G"
        elif cur == "Z":
            t = "S"
        elif cur == "M":
            t = "N"
        elif cur == "K" and nxt == "N":
            t = "NN"
        elif cur == "K":
            t = "C"
        elif cur == "S" and nxt == "C" and nn == "H":
            t = "SSS"
        elif cur == "P" and nxt == "H":
            t = "FF"
        elif (cur == "H" and (prev not in vowels or nxt is None or nxt not in vowels)) or (
            cur == "W" and prev in vowels
        ):
            t = prev
        else:
            t = cur
        for j, c in enumerate(t):
            if i + j < n:
                chars[i + j] = c
        if chars[i - 1] != chars[i]:
            key.append(chars[i])
        i += 1
    k = "".join(key)
    if len(k) > 1:
        if k.endswith("S"):
            k = k[:-1]
        if len(k) > 2 and k.endswith("AY"):
            k = k[:-2] + "Y"
        if k.endswith("A"):
            k = k[:-1]
    if strict:
        k = k[:6]
    return k or None


def _selftest():
    ns = [("MACINTOSH", "MCANT"), ("KNUTH", "NAT"), ("KOEHN", "CAN"), ("PHILLIPSON", "FALAPSAN"),
          ("PFEISTER", "FASTAR"), ("SCHOENHOEFT", "SANAFT"), ("MCKEE", "MCY"), ("MACKIE", "MCY"),
          ("HEITSCHMIDT", "HATSNAD"), ("BART", "BAD"), ("HURD", "HAD"), ("HUNT", "HAD"),
          ("WESTERLUND", "WASTARLAD"), ("CASSTEVENS", "CASTAFAN"), ("VASQUEZ", "VASG"),
          ("FRAZIER", "FRASAR"), ("BOWMAN", "BANAN"), ("MCKNIGHT", "MCNAGT"), ("RICKERT", "RACAD"),
          ("DEUTSCH", "DAT"), ("WESTPHAL", "WASTFAL"), ("SHRIVER", "SRAVAR"), ("KUHL", "CAL"),
          ("RAWSON", "RASAN"), ("JILES", "JAL"), ("CARRAWAY", "CARY"), ("YAMADA", "YANAD"),
          ("ODANIEL", "ODANAL"), ("CORY", "CARY"), ("COREY", "CARY"), ("KORY", "CARY"), ("FUZZY", "FASY"),
          ("XS", "X"), ("XSS", "X"), ("XAY", "XY"), ("XAYS", "XY"), ("XA", "X"), ("XAS", "X"), ("XZ", "X"),
          ("XEV", "XAF"), ("MACX", "MCX"), ("KNX", "NX"), ("SCHX", "SX"), ("XIE", "XY"), ("XND", "XD")]
    bad = [(a, b, nysiis(a.lower(), strict=False)) for a, b in ns if nysiis(a.lower(), strict=False) != b]
    strict = [("westerlund", "WASTAR"), ("brian", "BRAN"), ("brown", "BRAN"), ("kipp", "CAP"),
              ("schmidt", "SNAD"), ("smith", "SNAT"), ("schmit", "SNAT"), ("kobwick", "CABWAC"),
              ("kocher", "CACAR"), ("fesca", "FASC"), ("shom", "SAN"), ("ohlo", "OL"), ("uhu", "UH"),
              ("um", "UN"), ("trueman", "TRANAN"), ("phil", "FAL"), ("dionne", "DAN")]
    bad += [(a, b, nysiis(a)) for a, b in strict if nysiis(a) != b]
    st = [("123 N. Main Street Apt 4B", "mainst"), ("123 MAIN ST", "mainst"), ("12 North St", "northst"),
          ("5 Elm Avenue NW", "elmave"), ("77 Oak Ct #3", "oakct"), ("8 County Road 12", "countyroad12"),
          ("100 Broadway", "broadway"), ("3 stanley street", "stanleyst"), ("9 light setreet", "lightsetreet"),
          ("4 Park Ave Unit 2", "parkave"), ("15 W Highway 55", "highway55"), ("1/2 Main St", "mainst"), ("123 1/2 Main St", "mainst")]
    bad += [(a, b, street(a)) for a, b in st if street(a) != b]
    ct = [("St. Louis", "saintlouis"), ("Winston-Salem", "winstonsalem"), ("MT AIRY", "mountairy")]
    bad += [(a, b, city(a)) for a, b in ct if city(a) != b]
    dd = [("19651013", "1965-10-13"), ("3/7/1980", "1980-03-07"), ("1980-02-30", None), ("1980", None)]
    bad += [(a, b, dob(a)) for a, b in dd if dob(a) != b]
    nk = [("bob", ("bert", "bob", "bobby", "robert")), ("robert", ("bill", "billy", "bob", "robert")), ("al", ("al",)), ("zzz", ("zzz",))]
    bad += [(a, b, nick_set(a)) for a, b in nk if nick_set(a) != b]
    return bad


if __name__ == "__main__":
    b = _selftest()
    print("selftest failures:", b)
