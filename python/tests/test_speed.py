"""Speed: one million rows as a list of dicts through hash_rows, against the command reading
the same rows from a CSV file, both timed the same way (wall clock around the whole call:
for the command, process start to exit, file read and written; for hash_rows, dicts in to
dicts out). The figures are printed (pytest -s) and recorded in the README."""

import os
import subprocess
import time

import blindmatch
from conftest import command, messy_rows, write_csv

ROWS = int(os.environ.get("BLINDMATCH_SPEED_ROWS", "1000000"))


def test_hash_rows_speed(tmp_path, key_file):
    base = messy_rows(10007)
    rows = [dict(r, email=f"m{i}.{r['email']}") for i, r in
            ((i, base[i % len(base)]) for i in range(ROWS))]
    key = blindmatch.load_key(key_file)

    started = time.perf_counter()
    ours = blindmatch.hash_rows(rows, key, "o")
    py_seconds = time.perf_counter() - started
    assert len(ours) == ROWS
    del ours

    plain = write_csv(tmp_path / "plain.csv", rows)
    started = time.perf_counter()
    subprocess.run([command(), "hash", "--key", key_file, "--org", "o", plain,
                    "-o", tmp_path / "h.csv", "-q"], check=True)
    cli_seconds = time.perf_counter() - started

    py_rate, cli_rate = ROWS / py_seconds, ROWS / cli_seconds
    print(f"\nspeed, {ROWS:,} rows of {len(rows[0])} columns, {os.cpu_count()} cores: "
          f"hash_rows (list of dicts -> list of dicts) {py_seconds:.2f} s = {py_rate:,.0f} rows/s; "
          f"command (CSV file -> hashed file) {cli_seconds:.2f} s = {cli_rate:,.0f} rows/s")
    # A guard against a gross regression, loose enough for a shared machine.
    assert py_rate > 0.5 * cli_rate
