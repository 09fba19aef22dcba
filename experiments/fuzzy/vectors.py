"""Print draft test vectors for token spec v2: normalized fields and tokens of every v2 kind under
the fixed key 000102...1f, empty round. python3 vectors.py > vectors.txt"""
import experiment as E
import normalize as N

KEY = bytes(range(32))
PEOPLE = [
    dict(first="Bob", middle="Allen", last="O'Brien-Smith Jr.", address="123 N. Main Street Apt 4B",
         city="St. Louis", zip="63101-1234", dob="3/7/1980"),
    dict(first="José", middle="", last="Núñez", address="77 Oak Ct #3", city="Winston-Salem", zip="2710",
         dob="19651013"),
]


def main():
    print("# key 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f, round empty")
    kinds = E.load_chosen()
    for p in PEOPLE:
        a = E.atoms_of(p["first"], p["middle"], p["last"], p["address"], p["city"], p["zip"], p["dob"])
        print("input:", p)
        for k in ("F", "L", "FN", "LN", "FI", "FK", "NP", "M", "D", "Y", "H", "S", "C", "Z"):
            print("  %-13s %s" % (E.ATOMS[k][0], a[k]))
        tok = E.tokenize([a], list(E.V1_KINDS.values()) + kinds, KEY)
        for k, col in tok.items():
            vals = E.values(k, a)
            cell = " ".join(sorted(t.hex() for t in col[0])) if col[0] else ""
            print("  %-34s %-40s %s" % (E.kind_name(k), " / ".join(vals), cell))
    print("# NYSIIS (strict, 6): " + ", ".join("%s=%s" % (x, N.nysiis(x)) for x in
          ["westerlund", "macintosh", "knuth", "schmidt", "phillipson", "vasquez", "trueman", "brian"]))


if __name__ == "__main__":
    main()
