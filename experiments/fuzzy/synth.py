"""Synthetic voter file and org member lists with realistic mess, for choosing the v2 kinds.

Standard library only; deterministic for a seed. People live in households (shared address and
usually last name), fathers and sons share first, middle and last name (Jr/Sr), common names make
namesakes within a zip, some people moved (the voter file has the old address), and org exports
carry nicknames, typos, spelled-out or abbreviated street types, dropped directionals and units,
swapped first/last names, missing fields and unrelated emails across orgs.

    python3 synth.py --voters 60000 --out /tmp/synth   (writes voters.csv, org_a.csv, org_b.csv)
"""
import argparse
import csv
import os
import random

import normalize

# ------------------------------------------------------------------ name tables (made up weights)
MALE = """james 3.3 john 3.2 robert 3.1 michael 2.6 william 2.5 david 2.4 richard 1.6 joseph 1.5
thomas 1.4 charles 1.4 christopher 1.2 daniel 1.2 matthew 1.0 anthony 0.9 donald 0.9 mark 0.8
paul 0.8 steven 0.8 andrew 0.7 kenneth 0.7 joshua 0.7 kevin 0.6 brian 0.6 george 0.6 edward 0.5
ronald 0.5 timothy 0.5 jason 0.5 jeffrey 0.5 ryan 0.4 jacob 0.4 gary 0.4 nicholas 0.4 eric 0.4
jonathan 0.4 stephen 0.4 larry 0.4 justin 0.3 scott 0.3 brandon 0.3 benjamin 0.3 samuel 0.3
frank 0.3 gregory 0.3 raymond 0.3 alexander 0.3 patrick 0.3 jack 0.3 dennis 0.3 jerry 0.3
tyler 0.2 aaron 0.2 jose 0.2 henry 0.2 adam 0.2 douglas 0.2 nathan 0.2 peter 0.2 zachary 0.2
kyle 0.2 walter 0.2 harold 0.2 jeremy 0.2 ethan 0.2 carl 0.2 keith 0.2 roger 0.2 gerald 0.2
christian 0.2 terry 0.2 sean 0.2 arthur 0.2 austin 0.2 noah 0.2 lawrence 0.2 jesse 0.2 joe 0.1
bryan 0.1 billy 0.1 jordan 0.1 albert 0.1 dylan 0.1 bruce 0.1 willie 0.1 gabriel 0.1 alan 0.1
juan 0.1 logan 0.1 wayne 0.1 ralph 0.1 roy 0.1 eugene 0.1 randy 0.1 vincent 0.1 russell 0.1
louis 0.1 philip 0.1 bobby 0.1 johnny 0.1 bradley 0.1 theodore 0.1 frederick 0.1 leonard 0.1
herbert 0.05 alfred 0.05 marvin 0.05 clarence 0.05 howard 0.05 stanley 0.05 norman 0.05
jamal 0.05 darnell 0.05 tyrone 0.05 malik 0.05 deshawn 0.05 luis 0.1 carlos 0.1 miguel 0.1
jorge 0.05 pedro 0.05 wei 0.03 hiroshi 0.02 rajesh 0.03 mohammed 0.05 ahmed 0.03 ivan 0.03"""
FEMALE = """mary 2.6 patricia 1.1 jennifer 1.1 linda 1.0 elizabeth 0.9 barbara 0.9 susan 0.9
jessica 0.8 sarah 0.8 karen 0.8 lisa 0.7 nancy 0.7 betty 0.7 margaret 0.7 sandra 0.6 ashley 0.6
kimberly 0.6 emily 0.6 donna 0.6 michelle 0.6 carol 0.5 amanda 0.5 dorothy 0.5 melissa 0.5
deborah 0.5 stephanie 0.5 rebecca 0.5 sharon 0.5 laura 0.5 cynthia 0.5 kathleen 0.4 amy 0.4
angela 0.4 shirley 0.4 anna 0.4 brenda 0.4 pamela 0.4 emma 0.4 nicole 0.4 helen 0.4 samantha 0.4
katherine 0.4 christine 0.3 debra 0.3 rachel 0.3 carolyn 0.3 janet 0.3 catherine 0.3 maria 0.3
heather 0.3 diane 0.3 ruth 0.3 julie 0.3 olivia 0.3 joyce 0.3 virginia 0.3 victoria 0.3 kelly 0.3
lauren 0.3 christina 0.3 joan 0.3 evelyn 0.3 judith 0.3 megan 0.3 andrea 0.3 cheryl 0.3
hannah 0.2 jacqueline 0.2 martha 0.2 gloria 0.2 teresa 0.2 ann 0.2 sara 0.2 madison 0.2
frances 0.2 kathryn 0.2 janice 0.2 jean 0.2 abigail 0.2 alice 0.2 judy 0.2 sophia 0.2 grace 0.2
denise 0.2 amber 0.2 doris 0.2 marilyn 0.2 danielle 0.2 beverly 0.2 isabella 0.2 theresa 0.2
diana 0.2 natalie 0.2 brittany 0.2 charlotte 0.2 marie 0.2 kayla 0.2 alexis 0.2 lori 0.2
patsy 0.05 peggy 0.05 dolores 0.05 rosa 0.1 guadalupe 0.05 yolanda 0.05 latoya 0.05
keisha 0.05 tamika 0.05 mei 0.02 yuki 0.02 priya 0.03 fatima 0.05 olga 0.03 ingrid 0.02"""
SURNAMES = """smith 1.0 johnson 0.8 williams 0.7 brown 0.6 jones 0.6 garcia 0.5 miller 0.5 davis 0.5
rodriguez 0.4 martinez 0.4 hernandez 0.4 lopez 0.4 gonzalez 0.4 wilson 0.4 anderson 0.4
thomas 0.4 taylor 0.4 moore 0.3 jackson 0.3 martin 0.3 lee 0.3 perez 0.3 thompson 0.3 white 0.3
harris 0.3 sanchez 0.3 clark 0.3 ramirez 0.3 lewis 0.3 robinson 0.3 walker 0.3 young 0.3
allen 0.3 king 0.3 wright 0.3 scott 0.2 torres 0.2 nguyen 0.2 hill 0.2 flores 0.2 green 0.2
adams 0.2 nelson 0.2 baker 0.2 hall 0.2 rivera 0.2 campbell 0.2 mitchell 0.2 carter 0.2
roberts 0.2 gomez 0.2 phillips 0.2 evans 0.2 turner 0.2 diaz 0.2 parker 0.2 cruz 0.2
edwards 0.2 collins 0.2 reyes 0.2 stewart 0.2 morris 0.2 morales 0.2 murphy 0.2 cook 0.2
rogers 0.2 gutierrez 0.1 ortiz 0.1 morgan 0.1 cooper 0.1 peterson 0.1 bailey 0.1 reed 0.1
kelly 0.1 howard 0.1 ramos 0.1 kim 0.1 cox 0.1 ward 0.1 richardson 0.1 watson 0.1 brooks 0.1
chavez 0.1 wood 0.1 james 0.1 bennett 0.1 gray 0.1 mendoza 0.1 ruiz 0.1 hughes 0.1 price 0.1
alvarez 0.1 castillo 0.1 sanders 0.1 patel 0.1 myers 0.1 long 0.1 ross 0.1 foster 0.1
jimenez 0.1 powell 0.1 jenkins 0.1 perry 0.1 russell 0.1 sullivan 0.1 bell 0.1 coleman 0.1
butler 0.1 henderson 0.1 barnes 0.1 gonzales 0.1 fisher 0.1 vasquez 0.1 simmons 0.1 romero 0.1
jordan 0.1 patterson 0.1 alexander 0.1 hamilton 0.1 graham 0.1 reynolds 0.1 griffin 0.1
wallace 0.1 moreno 0.1 west 0.1 cole 0.1 hayes 0.1 bryant 0.1 herrera 0.1 gibson 0.1 ellis 0.1
tran 0.1 medina 0.1 aguilar 0.1 stevens 0.1 murray 0.1 ford 0.1 castro 0.1 marshall 0.1
owens 0.1 harrison 0.1 fernandez 0.1 mcdonald 0.1 woods 0.1 washington 0.1 kennedy 0.1
wells 0.1 vargas 0.1 henry 0.1 chen 0.1 freeman 0.1 webb 0.1 tucker 0.1 guzman 0.1 burns 0.1
crawford 0.1 olson 0.1 simpson 0.1 porter 0.1 hunter 0.1 gordon 0.1 mendez 0.1 silva 0.1
shaw 0.1 snyder 0.1 mason 0.1 dixon 0.1 munoz 0.1 hunt 0.1 hicks 0.1 holmes 0.1 palmer 0.1
wagner 0.1 black 0.1 robertson 0.1 boyd 0.1 rose 0.1 stone 0.1 salazar 0.1 fox 0.1 warren 0.1
mills 0.1 meyer 0.1 rice 0.1 schmidt 0.1 garza 0.1 daniels 0.1 ferguson 0.1 nichols 0.1
stephens 0.1 soto 0.1 weaver 0.1 ryan 0.1 gardner 0.1 payne 0.1 grant 0.1 dunn 0.1 kelley 0.1
spencer 0.1 hawkins 0.1 arnold 0.1 pierce 0.1 hansen 0.1 peters 0.1 santos 0.1 hart 0.1
bradley 0.1 knight 0.1 elliott 0.1 cunningham 0.1 duncan 0.1 armstrong 0.1 hudson 0.1
carroll 0.1 lane 0.1 riley 0.1 andrews 0.1 ray 0.1 berry 0.1 perkins 0.1 hoffman 0.1 obrien 0.05
oconnor 0.05 mcarthur 0.05 vanburen 0.02 delarosa 0.03 smithjones 0.01"""
SYL_A = "bar ber bor cal car cor dal der dun el fal far fen gal gar gil hal har hen hol jan kel ker " \
        "kin lan lar lin mal mar mer mil nor pal par per ral ren ros sal sam sel tal tan ter tor val " \
        "van wal war wen win zel"
SYL_B = "ton son ley man field wood ford berg stein ski sky ello ini ez ard ett ins well ham more " \
        "land by wick worth ner ger fer ter da ra li na sen sen strom quist ov enko idis akis oglu"
STREETS = """main oak pine maple cedar elm washington lake hill walnut chestnut spruce park sunset
highland jefferson lincoln madison jackson franklin church mill river spring meadow forest ridge
valley willow cherry dogwood magnolia poplar sycamore hickory laurel holly birch aspen juniper
prospect pleasant center union market water front broad high school academy college green
king queen prince bridge canal harbor shore beach bay ocean bluff summit grove orchard vine
cypress palmetto peachtree wilson johnson adams monroe grant sherman lee davis harrison tyler
polk pierce taylor fillmore hayes garfield arthur cleveland mckinley roosevelt kennedy wright
edison carver douglass tubman king parks chavez sequoia redwood sierra cascade rainier shasta
teton everest glacier canyon mesa vista rancho mission pueblo alamo sabine brazos pecos
trinity colorado red white blue silver golden crystal diamond emerald ruby amber ivory coral
fox deer bear wolf eagle hawk falcon raven robin cardinal sparrow heron crane swan quail
first second third fourth fifth sixth seventh eighth ninth tenth"""
SUFFIX_W = [("St", 30), ("Ave", 14), ("Rd", 14), ("Dr", 14), ("Ln", 8), ("Ct", 6), ("Blvd", 3),
            ("Way", 4), ("Pl", 3), ("Cir", 3), ("Ter", 2), ("Pkwy", 1), ("Trl", 2), ("Loop", 1)]
SUFFIX_LONG = {"St": "Street", "Ave": "Avenue", "Rd": "Road", "Dr": "Drive", "Ln": "Lane",
               "Ct": "Court", "Blvd": "Boulevard", "Way": "Way", "Pl": "Place", "Cir": "Circle",
               "Ter": "Terrace", "Pkwy": "Parkway", "Trl": "Trail", "Loop": "Loop"}
SUFFIX_ALT = {"St": ["Str", "St."], "Ave": ["Av", "Ave."], "Rd": ["Rd."], "Dr": ["Drv", "Dr."],
              "Ln": ["Ln."], "Ct": ["Crt"], "Blvd": ["Blvd."], "Cir": ["Circ"], "Ter": ["Terr"],
              "Pkwy": ["Pky"], "Trl": ["Trail"], "Way": ["Wy"], "Pl": ["Pl."], "Loop": ["Loop"]}
DIRS = [("N", "North"), ("S", "South"), ("E", "East"), ("W", "West")]
CITY_NAMES = """Ashford Bellmont Carrollton Dunmore Eastfield Fairview Glenwood Harmony Ivyton
Jamestown Kingsport Lakewood Millbrook Northgate Oakridge Pinecrest Riverside Springdale Thornton
Union Grove Valleyview Westbrook Saint Clair Mount Pleasant Fort Mill""".split()


def _weighted(text):
    t = text.split()
    return [t[i] for i in range(0, len(t), 2)], [float(t[i + 1]) for i in range(0, len(t), 2)]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.male, self.male_w = _weighted(MALE)
        self.female, self.female_w = _weighted(FEMALE)
        self.sur, self.sur_w = _weighted(SURNAMES)
        self.syl_a, self.syl_b = SYL_A.split(), SYL_B.split()
        self.street_words = STREETS.split()
        self.nick_of = {}
        for nick, canon in normalize.NICK_CANON.items():
            for c in canon:
                self.nick_of.setdefault(c, []).append(nick)

    def first(self, sex):
        r = self.r
        if r.random() < 0.08:  # a rarer name: a random canonical from the nickname table
            return r.choice(sorted(normalize.NICK_NAME1))
        if sex == "M":
            return r.choices(self.male, self.male_w)[0]
        return r.choices(self.female, self.female_w)[0]

    def surname(self):
        r = self.r
        if r.random() < 0.45:
            return r.choices(self.sur, self.sur_w)[0]
        # long tail: generated surnames (about 50k distinct)
        return r.choice(self.syl_a) + r.choice(self.syl_b) + (r.choice(["", "", "", "s", "e", "a"]))


def cap(s):
    return " ".join(w[:1].upper() + w[1:] for w in s.split())


def make_world(n_voters, seed=1):
    """Returns (persons, addresses). A person: dict with id, first, middle, last, sex, dob, addr,
    old_addr (if moved), phone, emails, registered, household."""
    g = Gen(seed)
    r = g.r
    n_zip = max(8, n_voters // 2500)
    zips = ["%05d" % (27000 + 7 * i) for i in range(n_zip)]
    cities = {}
    for i, z in enumerate(zips):
        cities[z] = CITY_NAMES[i % len(CITY_NAMES)] if i < len(CITY_NAMES) else CITY_NAMES[i % len(CITY_NAMES)] + " Heights"
    streets = {}
    for z in zips:
        names = set()
        while len(names) < 70:
            w = r.choice(g.street_words)
            if r.random() < 0.15:
                w = w + " " + r.choice(g.street_words)
            names.add(w)
        streets[z] = []
        for w in sorted(names):
            suf = r.choices([s for s, _ in SUFFIX_W], [x for _, x in SUFFIX_W])[0]
            d = r.choice(DIRS)[0] if r.random() < 0.12 else ""
            streets[z].append((d, cap(w), suf))

    def new_addr(z=None):
        z = z or r.choice(zips)
        d, nm, suf = r.choice(streets[z])
        h = str(r.choice([r.randint(1, 99), r.randint(100, 999), r.randint(1000, 9999), r.randint(10, 400)]))
        unit = ""
        if r.random() < 0.2:
            unit = str(r.randint(1, 40)) + r.choice(["", "", "A", "B"])
        return {"zip": z, "dir": d, "street": nm, "suf": suf, "house": h, "unit": unit, "city": cities[z]}

    persons = []
    hid = 0
    year = 2026
    n_reg = 0
    while n_reg < n_voters:
        hid += 1
        addr = new_addr()
        size = r.choices([1, 2, 3, 4, 5], [28, 35, 16, 13, 8])[0]
        sur = g.surname()
        head_sex = r.choice("MF")
        head_age = r.randint(22, 88)
        members = []

        def person(sex, age, last, first=None, middle=None):
            b = datetime_from_age(r, age, year)
            p = {"id": len(persons) + len(members), "sex": sex, "first": first or g.first(sex),
                 "middle": middle if middle is not None else (g.first(r.choice("MF")) if r.random() < 0.85 else ""),
                 "last": last, "dob": b, "age": age, "addr": addr, "household": hid, "suffix": ""}
            members.append(p)
            return p

        head = person(head_sex, head_age, sur)
        if size >= 2:
            spouse_sur = sur if r.random() < 0.7 else g.surname()
            person("F" if head_sex == "M" else "M", max(18, head_age + r.randint(-6, 6)), spouse_sur)
        for _ in range(size - 2):
            age = head_age - r.randint(18, 40)
            if age < 1:
                continue
            if head_sex == "M" and r.random() < 0.12 and not any(m["suffix"] == "Jr" for m in members):
                # Jr: the son carries his father's full name
                head["suffix"] = "Sr"
                person("M", age, sur, first=head["first"], middle=head["middle"])["suffix"] = "Jr"
            else:
                person(r.choice("MF"), age, sur)
        if size >= 3 and r.random() < 0.02:  # twins: same dob, same last name, different first names
            tw = [m for m in members if m is not head and m["last"] == sur]
            if tw:
                t = tw[-1]
                person(r.choice("MF"), t["age"], sur)["dob"] = t["dob"]
        for p in members:
            p["registered"] = p["age"] >= 18 and r.random() < 0.82
            p["phone"] = "919%03d%04d" % (r.randint(200, 999), r.randint(0, 9999)) if r.random() < 0.75 else ""
            base = (p["first"][:1] + p["last"]) if r.random() < 0.5 else (p["first"] + "." + p["last"])
            p["emails"] = [base + str(r.randint(1, 99)) + "@" + r.choice(["gmail.com", "yahoo.com", "aol.com", "comcast.net"]),
                           p["first"] + p["last"][:1] + str(r.randint(100, 999)) + "@" + r.choice(["work.org", "outlook.com", "uni.edu"])]
            p["old_addr"] = None
            persons.append(p)
            n_reg += p["registered"]
    # moves: the voter file keeps the old address for 12% of people (a new address in the org lists)
    for p in persons:
        if r.random() < 0.12:
            p["old_addr"] = p["addr"]
            p["addr"] = new_addr(p["addr"]["zip"] if r.random() < 0.4 else None)
    return persons, zips, cities


def datetime_from_age(r, age, year):
    y = year - age
    m = r.randint(1, 12)
    d = r.randint(1, 28 if m == 2 else 30)
    return "%04d-%02d-%02d" % (y, m, d)


def addr_line(a, style, r):
    """A street line: style 'voter' = NC res_street_address; 'org' = how people type it."""
    if style == "voter":
        parts = [a["house"]]
        if a["dir"]:
            parts.append(a["dir"])
        parts += [a["street"].upper(), a["suf"].upper()]
        if a["unit"]:
            parts += ["APT", a["unit"]]
        return " ".join(parts).upper()
    parts = [a["house"]]
    if a["dir"] and r.random() < 0.6:
        parts.append(r.choice([a["dir"], a["dir"] + ".", dict(DIRS)[a["dir"]]]))
    parts.append(a["street"])
    x = r.random()
    if x < 0.45:
        parts.append(SUFFIX_LONG[a["suf"]])
    elif x < 0.85:
        parts.append(a["suf"])
    elif x < 0.95:
        parts.append(r.choice(SUFFIX_ALT[a["suf"]]))
    # else: suffix omitted
    if a["unit"] and r.random() < 0.7:
        parts.append(r.choice(["Apt " + a["unit"], "#" + a["unit"], "Unit " + a["unit"], "Apt. " + a["unit"]]))
    s = " ".join(parts)
    return s if r.random() < 0.5 else s.lower()


def typo(r, s):
    if not s or len(s) < 3:
        return s
    i = r.randrange(1, len(s))
    op = r.random()
    letters = "abcdefghijklmnopqrstuvwxyz"
    if op < 0.3:
        return s[:i] + s[i + 1:]
    if op < 0.55:
        return s[:i] + r.choice(letters) + s[i:]
    if op < 0.8:
        return s[:i] + r.choice(letters) + s[i + 1:]
    if i < len(s) - 1:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s


def digit_typo(r, s):
    if not s:
        return s
    i = r.randrange(len(s))
    return s[:i] + str(r.randint(0, 9)) + s[i + 1:]


def voter_rows(persons, r):
    rows = []
    for p in persons:
        if not p["registered"]:
            continue
        a = p["old_addr"] or p["addr"]
        last = p["last"] + ((" " + p["suffix"]) if p["suffix"] and r.random() < 0.8 else "")
        rows.append({"voter_id": "V%07d" % len(rows), "person": p["id"], "first_name": p["first"].upper(),
                     "middle_name": p["middle"].upper(), "last_name": last.upper(),
                     "res_street_address": addr_line(a, "voter", r), "res_city_desc": a["city"].upper(),
                     "zip_code": a["zip"], "full_phone_number": p["phone"] if r.random() < 0.7 else "",
                     "birth_date": p["dob"], "birth_year": p["dob"][:4]})
        # 0.4% duplicate registrations (old and new address both on the file)
        if p["old_addr"] and r.random() < 0.04:
            b = p["addr"]
            rows.append(dict(rows[-1], voter_id="V%07d" % len(rows), res_street_address=addr_line(b, "voter", r),
                             res_city_desc=b["city"].upper(), zip_code=b["zip"]))
    return rows


PROFILES = {
    # share of records with: full dob, year only; noise rates
    "crm": dict(dob=0.15, yob=0.10, nick=0.15, typo_first=0.03, typo_last=0.03, swap=0.01,
                miss_first=0.01, miss_last=0.01, miss_addr=0.10, typo_street=0.04, typo_house=0.02,
                miss_city=0.15, miss_zip=0.04, typo_zip=0.01, dob_typo=0.03, phone=0.5, middle=0.1),
    "dobrich": dict(dob=0.9, yob=0.05, nick=0.10, typo_first=0.15, typo_last=0.15, swap=0.04,
                    miss_first=0.03, miss_last=0.03, miss_addr=0.05, typo_street=0.2, typo_house=0.08,
                    miss_city=0.05, miss_zip=0.03, typo_zip=0.08, dob_typo=0.09, phone=0.3, middle=0.3),
    # a stress profile at the per-field difference rates published for FEBRL4 (given name 32%,
    # surname 33%, street 38%, suburb 25%, postcode 16%, house 16%, dob 9%, swapped 4%); only the
    # marginal rates are used, not FEBRL's records or labels
    "harsh": dict(dob=0.95, yob=0.0, nick=0.04, typo_first=0.15, replace_first=0.15, typo_last=0.28,
                  replace_last=0.04, swap=0.04,
                  miss_first=0.04, miss_last=0.03, miss_addr=0.04, typo_street=0.34, typo_house=0.12,
                  miss_city=0.10, miss_zip=0.0, typo_zip=0.16, dob_typo=0.09, phone=0.0, middle=0.0,
                  typo_city=0.15),
}


def org_rows(persons, r, n, profile, email_slot, pool=None):
    pr = PROFILES[profile]
    adults = pool if pool is not None else [p for p in persons if p["age"] >= 18]
    chosen = r.sample(adults, n)
    rows = []
    for p in chosen:
        first, last = p["first"], p["last"]
        if r.random() < pr["nick"] and first in r_nick_of():
            first = r.choice(r_nick_of()[first])
        if r.random() < pr["typo_first"]:
            first = typo(r, first)
        if r.random() < pr.get("replace_first", 0.02):  # goes by a middle or preferred name
            first = p["middle"] if p["middle"] and r.random() < 0.5 else _gen().first(p["sex"])
        if r.random() < pr.get("replace_last", 0.0):
            last = _gen().surname()
        if r.random() < pr["typo_last"]:
            last = typo(r, last)
        if r.random() < 0.03 and p["sex"] == "F":
            last = _gen().surname()  # name change at marriage
        if r.random() < pr["swap"]:
            first, last = last, first
        if r.random() < pr["miss_first"]:
            first = ""
        if r.random() < pr["miss_last"]:
            last = ""
        a = p["addr"]
        line = "" if r.random() < pr["miss_addr"] else addr_line(a, "org", r)
        if line and r.random() < pr["typo_street"]:
            ws = line.split(" ")
            k = 1 if len(ws) > 1 else 0
            ws[k] = typo(r, ws[k])
            line = " ".join(ws)
        if line and r.random() < pr["typo_house"]:
            ws = line.split(" ")
            ws[0] = digit_typo(r, ws[0])
            line = " ".join(ws)
        cityv = "" if r.random() < pr["miss_city"] else a["city"]
        if cityv and r.random() < pr.get("typo_city", 0.02):
            cityv = typo(r, cityv)
        if cityv and r.random() < 0.1:
            cityv = cityv.replace("Saint", "St.").replace("Mount", "Mt").replace("Fort", "Ft")
        z = "" if r.random() < pr["miss_zip"] else a["zip"]
        if z and r.random() < pr["typo_zip"]:
            z = digit_typo(r, z)
        elif z and r.random() < 0.1:
            z = z + "-%04d" % r.randint(0, 9999)
        dobv = ""
        x = r.random()
        if x < pr["dob"]:
            dobv = p["dob"]
            if r.random() < pr["dob_typo"]:
                dobv = dobv[:2] + digit_typo(r, dobv[2:4]) + dobv[4:] if r.random() < 0.3 else \
                    dobv[:5] + digit_typo(r, dobv[5:7]) + dobv[7:] if r.random() < 0.5 else dobv[:8] + digit_typo(r, dobv[8:])
            if r.random() < 0.5:
                y, m, d = dobv.split("-")
                dobv = "%d/%d/%s" % (int(m), int(d), y)
        elif x < pr["dob"] + pr["yob"]:
            dobv = p["dob"][:4]
        rows.append({"person": p["id"], "first_name": cap(first), "middle_name": cap(p["middle"]) if r.random() < pr["middle"] else "",
                     "last_name": cap(last) + (" Jr." if p["suffix"] == "Jr" and r.random() < 0.3 else ""),
                     "address": line, "city": cityv, "zip": z, "dob": dobv,
                     "phone": p["phone"] if r.random() < pr["phone"] else "",
                     "email": p["emails"][email_slot] if r.random() < 0.95 else ""})
    return rows


_NICK = {}
_GEN = []


def _gen():
    if not _GEN:
        _GEN.append(Gen(12345))
    return _GEN[0]



def r_nick_of():
    if not _NICK:
        for nick, canon in normalize.NICK_CANON.items():
            for c in canon:
                _NICK.setdefault(c, []).append(nick)
        for k in _NICK:
            _NICK[k].sort()
    return _NICK


def build(n_voters=60000, seed=1, n_org=6000, profile="crm", overlap=0.4):
    """Voter file and two orgs. Org A and org B share `overlap` of org B's people and hold different
    emails for them (slot 0 vs slot 1)."""
    persons, zips, cities = make_world(n_voters, seed)
    r = random.Random(seed * 7919 + 1)
    voters = voter_rows(persons, r)
    adults = [p for p in persons if p["age"] >= 18]
    a = org_rows(persons, r, n_org, profile, 0, adults)
    a_ids = {x["person"] for x in a}
    shared_pool = [p for p in adults if p["id"] in a_ids]
    other_pool = [p for p in adults if p["id"] not in a_ids]
    n_shared = int(n_org * overlap)
    b = org_rows(persons, r, n_shared, profile, 1, shared_pool) + \
        org_rows(persons, r, n_org - n_shared, profile, 1, other_pool)
    r.shuffle(b)
    return persons, voters, a, b


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--voters", type=int, default=60000)
    ap.add_argument("--org", type=int, default=6000)
    ap.add_argument("--profile", default="crm", choices=sorted(PROFILES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    persons, voters, oa, ob = build(a.voters, a.seed, a.org, a.profile)
    write_csv(os.path.join(a.out, "voters.csv"), voters)
    write_csv(os.path.join(a.out, "org_a.csv"), oa)
    write_csv(os.path.join(a.out, "org_b.csv"), ob)
    print(len(persons), "people,", len(voters), "voter rows,", len(oa), "+", len(ob), "org rows")
