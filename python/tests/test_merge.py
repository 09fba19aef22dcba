"""merge and read_summary over hashed files made by hash_file; the match mode."""

import csv

import blindmatch
import pytest
from conftest import messy_rows, write_csv


@pytest.fixture
def org_files(tmp_path, key_file):
    rows = messy_rows(600)
    files = []
    for org, part in [("union", rows[:400]), ("tenants", rows[200:])]:
        plain = write_csv(tmp_path / f"{org}.csv", part)
        out = tmp_path / f"{org}.hashed.csv"
        blindmatch.hash_file(plain, out, key_file, org)
        files.append(out)
    return files


def test_merge_exact(tmp_path, org_files):
    summary = blindmatch.merge(org_files, tmp_path / "round1", match="exact")
    assert summary == blindmatch.read_summary(tmp_path / "round1")
    assert summary["overlap"]["union"]["tenants"] > 0
    assert [o["org"] for o in summary["orgs"]] == ["tenants", "union"]
    with pytest.raises(blindmatch.Error, match="force"):
        blindmatch.merge(org_files, tmp_path / "round1", match="exact")
    blindmatch.merge(org_files, tmp_path / "round1", match="exact", force=True)


def test_merge_assign_and_suppress(tmp_path, key_file, org_files):
    optouts = write_csv(tmp_path / "optouts.csv", messy_rows(600)[390:410])
    blindmatch.hash_file(optouts, tmp_path / "optouts.hashed.csv", key_file, "optouts",
                         kind="suppression")
    summary = blindmatch.merge(org_files, tmp_path / "r", suppress=[tmp_path / "optouts.hashed.csv"],
                               assign="balanced", match="exact")
    assert summary["suppressed"] > 0
    assert summary["assignment"]["policy"].startswith("balanced")
    with pytest.raises(ValueError):
        blindmatch.merge(org_files, tmp_path / "r2", assign="whoever", match="exact")


def test_merge_fuzzy_is_the_default(tmp_path, org_files):
    summary = blindmatch.merge(org_files, tmp_path / "r")  # match="fuzzy" is the default
    assert summary["matching"] == "fuzzy"
    exact = blindmatch.merge(org_files, tmp_path / "e", match="exact")
    assert "matching" not in exact
    # Fuzzy linking never splits what exact linking joins on email: every record that exact
    # matching finds on both lists is on both lists in fuzzy mode too. (Counted in people the
    # overlap may shrink: fuzzy matching also joins records within one org into one person.)
    for org in ("union", "tenants"):
        on_both = {"exact": set(), "fuzzy": set()}
        for mode, out in (("exact", tmp_path / "e"), ("fuzzy", tmp_path / "r")):
            with open(out / "orgs" / f"{org}.csv", newline="", encoding="utf-8") as f:
                rows = csv.DictReader(line for line in f if not line.startswith("#"))
                on_both[mode] = {r["email"] for r in rows if r["email"] and r["lists"] == "2"}
        assert on_both["exact"] and on_both["exact"] <= on_both["fuzzy"]
    with pytest.raises(ValueError):
        blindmatch.merge(org_files, tmp_path / "r2", match="sort of")
    assert not (tmp_path / "r2").exists()
