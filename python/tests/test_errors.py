"""Errors are Python exceptions with the library's messages, and never carry an input value.

Every value fed in is a unique canary string; every way of failing is tried; no canary may
appear in the message, the repr, the arguments or the printed traceback of any exception.
"""

import itertools
import json
import traceback

import blindmatch
import pytest
from conftest import write_csv

_serial = itertools.count()


def canary():
    return f"cAnArY{next(_serial):04d}zq"


def canary_rows(n=20, columns=("email", "phone", "first", "last", "zip")):
    return [{c: f"{canary()}@example.org" if c == "email" else canary() for c in columns}
            for _ in range(n)]


def assert_clean(excinfo, values):
    e = excinfo.value
    text = "\n".join([str(e), repr(e), repr(e.args),
                      "".join(traceback.format_exception(type(e), e, e.__traceback__))])
    chained = e.__cause__ or e.__context__
    if chained is not None:
        text += str(chained) + repr(chained)
    for value in values:
        assert "cAnArY" not in value or value not in text, f"{value} leaked: {text}"
    assert "cAnArY" not in text, text


def values_of(rows):
    return [str(v) for r in rows for v in (r.values() if isinstance(r, dict) else r)]


def test_a_bad_key_file(tmp_path):
    secret = canary()
    for text in [f"blindmatch-key-v1 {secret}\n", f"{secret}\n",
                 f"# {secret}\nblindmatch-key-v1 {'ab' * 31}{secret}\n"]:
        path = tmp_path / "bad.key"
        path.write_text(text)
        path.chmod(0o600)
        with pytest.raises(blindmatch.Error) as e:
            blindmatch.load_key(path)
        assert_clean(e, [secret])
        with pytest.raises(blindmatch.Error) as e:
            blindmatch.hash_rows(canary_rows(), path, "o")
        assert_clean(e, [secret])


def test_a_readable_key_file_is_refused(tmp_path, key_file):
    key_file.chmod(0o644)
    with pytest.raises(blindmatch.Error, match="chmod 600"):
        blindmatch.load_key(key_file)


def test_a_key_shows_its_fingerprint_only(key_file):
    key = blindmatch.load_key(key_file)
    assert repr(key) == f"Key(fingerprint='{key.fingerprint}')"
    assert "0001020304" not in repr(key) + str(key) + repr(dir(key))


@pytest.mark.parametrize("org,round_label", [("bad label!", None), ("o", "no spaces allowed"),
                                             ("", None), ("x" * 65, None)])
def test_bad_labels(key_file, org, round_label):
    rows = canary_rows()
    with pytest.raises(blindmatch.Error, match="invalid") as e:
        blindmatch.hash_rows(rows, key_file, org, round=round_label)
    assert_clean(e, values_of(rows))


def test_bad_rows(key_file):
    good = canary_rows()
    cases = [
        good + [[canary(), canary()]],                       # a list, not a dict
        good + [canary()],                                   # a string
        [[canary(), canary()]],                              # no dict at all
        good + [{"email": canary(), "ssn": canary()}],       # a key the first row lacks
        [{1: canary(), "email": canary()}],                  # a key that is not a string
        canary_rows(columns=("notes", "comment")),           # no identifier column
        canary_rows(columns=("email", "zip", "precinct")),   # --keep of a member list
    ]
    for rows in cases:
        with pytest.raises((blindmatch.Error, TypeError)) as e:
            keep = ["precinct"] if "precinct" in rows[0] else None
            blindmatch.hash_rows(rows, key_file, "o", keep=keep)
        assert_clean(e, values_of(rows))


def test_a_value_that_cannot_be_text(key_file):
    secret = canary()

    class Opaque:
        def __str__(self):
            raise ValueError(f"cannot show {secret}")

    rows = canary_rows() + [{"email": Opaque(), "phone": canary(), "first": canary(),
                             "last": canary(), "zip": canary()}]
    with pytest.raises(blindmatch.Error, match="column 'email'") as e:
        blindmatch.hash_rows(rows, key_file, "o")
    assert_clean(e, values_of(rows[:-1]) + [secret])


def test_bad_column_choices(key_file):
    rows = canary_rows(columns=("email", "zip", "first", "last", "precinct"))
    for kwargs in [dict(columns={"email": "nope"}), dict(columns={"shoe size": "zip"}),
                   dict(columns={"email": []}), dict(columns={"email": "email,zip"}),
                   dict(kind="voters", keep=["email"]), dict(kind="voters", keep=["nope"]),
                   dict(kind="donors")]:
        with pytest.raises((blindmatch.Error, ValueError)) as e:
            blindmatch.hash_rows(rows, key_file, "o", **kwargs)
        assert_clean(e, values_of(rows))


def test_bad_files(tmp_path, key_file):
    rows = canary_rows(columns=("notes", "comment"))
    plain = write_csv(tmp_path / "plain.csv", rows)
    members = write_csv(tmp_path / "members.csv", canary_rows())
    summary = tmp_path / "out" / "summary.json"
    summary.parent.mkdir()
    summary.write_text(json.dumps({"people": canary()}))
    values = values_of(rows) + [summary.read_text()]
    calls = [
        lambda: blindmatch.hash_file(plain, tmp_path / "h.csv", key_file, "o"),
        lambda: blindmatch.hash_file(tmp_path / "none.csv", tmp_path / "h.csv", key_file, "o"),
        lambda: blindmatch.merge([members], tmp_path / "m", match="exact"),  # not hashed
        lambda: blindmatch.read_summary(summary.parent),
    ]
    for call in calls:
        with pytest.raises(blindmatch.Error) as e:
            call()
        assert_clean(e, values)


def test_errors_are_one_exception_class():
    assert issubclass(blindmatch.Error, Exception)
    assert blindmatch.Error.__module__ == "blindmatch"
