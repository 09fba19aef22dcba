"""hash_rows gives what the command writes for the same rows, and what the independent
implementation of the spec computes; hash_file is the command's hash."""

import csv
import math
import threading
import time

import blindmatch
import pytest
from conftest import TEST_KEY_HEX, independent, messy_rows, read_hashed, run, write_csv


@pytest.mark.parametrize("round_label", [None, "nyc-primary-2026"])
def test_hash_rows_equals_the_command(tmp_path, key_file, round_label):
    rows = messy_rows(3000)
    plain = write_csv(tmp_path / "plain.csv", rows)
    extra = ["--round", round_label] if round_label else []
    run("hash", "--key", key_file, "--org", "o", plain, "-o", tmp_path / "h.csv", "-q", *extra)
    ours = blindmatch.hash_rows(rows, blindmatch.load_key(key_file), "o", round=round_label)
    assert ours == read_hashed(tmp_path / "h.csv")  # same tokens, same order
    assert len(ours) == 3000


def test_hash_rows_reads_a_dict_reader_as_the_command_reads_the_file(tmp_path, key_file):
    rows = messy_rows(500)
    plain = write_csv(tmp_path / "plain.csv", rows)
    run("hash", "--key", key_file, "--org", "o", plain, "-o", tmp_path / "h.csv", "-q")
    with open(plain, newline="", encoding="utf-8") as f:
        ours = blindmatch.hash_rows(csv.DictReader(f), key_file, "o")  # a generator; key path
    assert ours == read_hashed(tmp_path / "h.csv")


@pytest.mark.parametrize("round_label", ["", "nyc-primary-2026"])
def test_hash_rows_equals_the_independent_implementation(key_file, round_label):
    spec = independent()
    rows = messy_rows(2000)
    ours = blindmatch.hash_rows(rows, key_file, "o", round=round_label or None)
    ours = sorted(",".join(r[k] for k in spec.KINDS) for r in ours)
    theirs = sorted(",".join(spec.tokens(bytes.fromhex(TEST_KEY_HEX), round_label, r))
                    for r in rows)
    assert ours == theirs
    assert sum(len(r) > 4 for r in ours) > 1500, "most rows form some token"


def test_columns_are_detected_as_the_command_detects_them(tmp_path, key_file):
    # VAN-style headers, found by their aliases; the same rows under plain names agree.
    van = [{"VANID": str(i), "FirstName": r["first"], "LastName": r["last"],
            "Zip5": r["zip"], "Email": r["email"], "Phone": r["phone"]}
           for i, r in enumerate(messy_rows(400))]
    plain = [{"first": r["FirstName"], "last": r["LastName"], "zip": r["Zip5"],
              "email": r["Email"], "phone": r["Phone"]} for r in van]
    assert blindmatch.hash_rows(van, key_file, "o") == blindmatch.hash_rows(plain, key_file, "o")
    write_csv(tmp_path / "van.csv", van)
    run("hash", "--key", key_file, "--org", "o", tmp_path / "van.csv", "-o", tmp_path / "h.csv",
        "-q")
    assert blindmatch.hash_rows(van, key_file, "o") == read_hashed(tmp_path / "h.csv")


def test_columns_override_detection(key_file):
    rows = messy_rows(300)
    odd = [{"E-mail 1": r["email"], "Cell": r["phone"], "Given": r["first"], "Family": r["last"],
            "Post": r["zip"]} for r in rows]
    columns = {"email": "E-mail 1", "phone": "Cell", "first": "Given", "last": "Family",
               "zip": "Post"}
    plain = [{k: r[k] for k in ["email", "phone", "first", "last", "zip"]} for r in rows]
    assert blindmatch.hash_rows(odd, key_file, "o", columns=columns) == \
        blindmatch.hash_rows(plain, key_file, "o")


def test_columns_name_several_emails_and_phones(tmp_path, key_file):
    # A list of emails is several values; a phone source may join area code and number.
    rows = [{"e1": r["email"], "e2": f"x{i}@example.org" if i % 3 else "", "area": "650",
             "num": f"555-01{i % 100:02d}", "cell": r["phone"], "first": r["first"],
             "last": r["last"], "zip": r["zip"]} for i, r in enumerate(messy_rows(300))]
    columns = {"email": ["e1", "e2"], "phone": [["area", "num"], "cell"], "first": "first",
               "last": "last", "zip": "zip"}
    ours = blindmatch.hash_rows(rows, key_file, "o", columns=columns)
    write_csv(tmp_path / "m.csv", rows)
    run("hash", "--key", key_file, "--org", "o", tmp_path / "m.csv", "-o", tmp_path / "h.csv",
        "-q", "--email-col", "e1", "--email-col", "e2", "--phone-col", "area,num",
        "--phone-col", "cell", "--first-col", "first", "--last-col", "last", "--zip-col", "zip")
    assert ours == read_hashed(tmp_path / "h.csv")
    assert sum(" " in r["email_any"] for r in ours) > 50  # 100 of 300 on this data
    assert sum(" " in r["phone_any"] for r in ours) > 50


def test_voter_rows_keep_geography(tmp_path, key_file):
    rows = [dict(r, precinct=f"P-{i % 7:03d}") for i, r in enumerate(messy_rows(200))]
    write_csv(tmp_path / "v.csv", rows)
    run("hash", "--key", key_file, "--org", "voters", "--kind", "voters", "--keep", "precinct",
        tmp_path / "v.csv", "-o", tmp_path / "h.csv", "-q")
    ours = blindmatch.hash_rows(rows, key_file, "voters", kind="voters", keep=["precinct"])
    assert ours == read_hashed(tmp_path / "h.csv")
    assert {r["precinct"] for r in ours} == {f"P-{i:03d}" for i in range(7)}


def test_kept_values_and_names_that_need_quotes(tmp_path, key_file):
    # Commas and quotes in kept values, and in a kept column's name: quoted in the hashed file.
    rows = [dict(r, ward=f'Ward {i % 3}, "North"', **{'Precinct, "No."': f"P{i % 4}"})
            for i, r in enumerate(messy_rows(300))]
    for keep in (["ward"], ["ward", 'Precinct, "No."']):
        ours = blindmatch.hash_rows(rows, key_file, "voters", kind="voters", keep=keep)
        blindmatch.hash_file(rows, tmp_path / "h.csv", key_file, "voters", kind="voters",
                             keep=keep, force=True)
        assert ours == read_hashed(tmp_path / "h.csv")
        assert {r["ward"] for r in ours} == {f'Ward {i}, "North"' for i in range(3)}


def test_pandas_style_missing_values_are_empty_cells(key_file):
    rows = messy_rows(50)
    holes = [dict(r, phone=None, dob=math.nan) for r in rows]
    blank = [dict(r, phone="", dob="") for r in rows]
    missing = [{k: v for k, v in r.items() if k not in ("phone", "dob")} for r in rows]
    missing[0] = blank[0]  # the header comes from the first row
    assert blindmatch.hash_rows(holes, key_file, "o") == blindmatch.hash_rows(blank, key_file, "o")
    assert blindmatch.hash_rows(missing, key_file, "o") == \
        blindmatch.hash_rows(blank, key_file, "o")


def test_a_dict_reader_row_with_extra_fields_is_ragged_as_in_the_file(tmp_path, key_file):
    plain = tmp_path / "ragged.csv"
    plain.write_text("email,first,last,zip\na@b.org,Ann,Lee,02139\nc@d.org,Bo,Ng,10001,extra\n")
    run("hash", "--key", key_file, "--org", "o", plain, "-o", tmp_path / "h.csv", "-q")
    with open(plain, newline="") as f:
        ours = blindmatch.hash_rows(csv.DictReader(f), key_file, "o")
    assert ours == read_hashed(tmp_path / "h.csv")
    assert sum(all(v == "" for v in r.values()) for r in ours) == 1


def test_no_rows_no_tokens(key_file):
    assert blindmatch.hash_rows([], key_file, "o") == []


def test_hash_file_is_the_command(tmp_path, key_file):
    rows = messy_rows(700)
    plain = write_csv(tmp_path / "plain.csv", rows)
    run("hash", "--key", key_file, "--org", "o", plain, "-o", tmp_path / "cli.csv", "-q")
    report = blindmatch.hash_file(plain, tmp_path / "py.csv", key_file, "o")
    assert (tmp_path / "py.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    assert report["rows"] == 700
    assert report["key_fingerprint"] == blindmatch.load_key(key_file).fingerprint
    with pytest.raises(blindmatch.Error, match="already exists"):
        blindmatch.hash_file(plain, tmp_path / "py.csv", key_file, "o")
    blindmatch.hash_file(plain, tmp_path / "py.csv", key_file, "o", force=True)


def test_the_gil_is_released_while_hashing(key_file):
    rows = messy_rows(20000) * 10
    done = threading.Event()
    ticks = 0

    def hash_them():
        blindmatch.hash_rows(rows, key_file, "o")
        done.set()

    worker = threading.Thread(target=hash_them)
    worker.start()
    while not done.is_set():
        ticks += 1  # pure Python: runs only while the GIL is free
        time.sleep(0)
    worker.join()
    assert ticks > 100


class Table:
    """What a parsons.Table is to hash_rows: iterating it yields dicts (petl.dicts)."""

    def __init__(self, rows):
        self.rows = rows

    def __iter__(self):
        return (dict(r) for r in self.rows)


def test_hash_file_writes_rows_as_the_command_writes_the_file(tmp_path, key_file):
    rows = messy_rows(900)
    plain = write_csv(tmp_path / "plain.csv", rows)
    run("hash", "--key", key_file, "--org", "o", "--round", "r1", plain, "-o",
        tmp_path / "cli.csv", "-q")
    blindmatch.hash_file(Table(rows), tmp_path / "py.csv", key_file, "o", round="r1")
    assert (tmp_path / "py.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    assert blindmatch.hash_rows(Table(rows), key_file, "o", round="r1") == \
        read_hashed(tmp_path / "cli.csv")
    with pytest.raises(blindmatch.Error, match="already exists"):
        blindmatch.hash_file(Table(rows), tmp_path / "py.csv", key_file, "o")
    with pytest.raises(blindmatch.Error, match="no rows"):
        blindmatch.hash_file([], tmp_path / "empty.csv", key_file, "o")


def test_text_that_is_not_unicode_is_an_invalid_value(key_file):
    rows = [{"email": "a\ud800@x.org", "first": "Ann", "last": "Lee", "zip": "02139"},
            {"email": "a@x.org", "first": "Ann", "last": "Lee", "zip": "02139"}]
    broken, fine = sorted(blindmatch.hash_rows(rows, key_file, "o"), key=lambda r: r["email"])
    assert broken["email"] == "" and fine["email"] != ""
    assert broken["name_zip"] == fine["name_zip"] != ""


def test_an_error_raised_by_the_rows_themselves_reaches_the_caller(key_file):
    def rows():
        yield from messy_rows(5000)
        raise LookupError("the CRM went away")

    with pytest.raises(LookupError, match="the CRM went away"):
        blindmatch.hash_rows(rows(), key_file, "o")
    assert len(blindmatch.hash_rows(messy_rows(10), key_file, "o")) == 10  # still usable
