"""Fixtures for the wheel's tests: a fixed key, the installed command, messy export rows.

These tests run against the installed wheel (see .ci/run: a fresh virtual environment whose
PATH has no cargo), never against the source tree's Python files.
"""

import csv
import importlib.util
import os
import pathlib
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
# The key of the Rust tests (tests/cli/workdir.rs): reproducible tokens.
TEST_KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "k.key"
    path.write_text(f"blindmatch-key-v1 {TEST_KEY_HEX}\n")
    path.chmod(0o600)
    return path


def command():
    """The `blindmatch` command installed by the wheel, next to this Python."""
    found = shutil.which("blindmatch")
    assert found, "the wheel's blindmatch command is not on PATH"
    return found


def run(*args, cwd=None):
    out = subprocess.run([command(), *map(str, args)], cwd=cwd, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out


def read_hashed(path):
    """A hashed file's rows as csv.DictReader reads them (metadata lines skipped)."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def independent():
    """tests/independent/spec_v1.py: the spec written again in Python, sharing no code."""
    path = REPO / "tests" / "independent" / "spec_v1.py"
    spec = importlib.util.spec_from_file_location("spec_v1", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIRSTS = ["José", "ZOË", "Mary Ann", "anne-marie", "Σίσυφος", "Ｊｏｈｎ", "", "Li"]
LASTS = ["O'Brien-Smith", "King Jr.", "Nguyễn", "Gates III", "Müller", "ΟΔΥΣΣΕΥΣ", "V", "Lee"]
ZIPS = ["2139", "02139-1234", "941101234", "10001.0", "501", "ABCDE", "", "60614"]
PHONES = ["(650) 555-1212", "+44 20 7946 0958", "555-1212", "1-415-555-0199 ext 3", "",
          "011 33 1 23 45 67 89"]
DOBS = ["1985-07-04", "7/4/1985", "19850704", "1899", "", "1970 00:00", "2099"]
ADDRS = ["123B Main St", "PO Box 7", "0042 Elm", "", "7 Rue"]
FIELDS = ["email", "phone", "first", "last", "zip", "address", "dob"]


def messy_rows(n):
    """Messy but deterministic rows (as tests/cli/independent.rs makes them)."""
    rows = []
    for i in range(n):
        email = [f"Person.{i}+tag@GMail.Com", f"  person{i}@Example.ORG ", f"p{i}@b@c.com", "",
                 f"+{i}@gmail.com", f"Ünï{i}@example.com"][i % 6]
        rows.append({
            "email": email,
            "phone": PHONES[i % len(PHONES)],
            "first": FIRSTS[i % len(FIRSTS)],
            "last": LASTS[(i // 3) % len(LASTS)],
            "zip": ZIPS[(i // 2) % len(ZIPS)],
            "address": ADDRS[(i // 5) % len(ADDRS)],
            "dob": DOBS[(i // 7) % len(DOBS)],
        })
    return rows


def write_csv(path, rows, fieldnames=None):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fieldnames or list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def no_cargo_on_path():
    return all(not (pathlib.Path(d) / "cargo").exists() for d in os.environ["PATH"].split(":") if d)
