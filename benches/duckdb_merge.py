#!/usr/bin/env python3
"""The merge, done by DuckDB on the same hashed files, for the benchmark comparison.

    python3 benches/duckdb_merge.py OUT_DIR THREADS VOTER_FILE ORG_FILE...

Same joins as `blindmatch merge` with the default --link-on email: records sharing an email
token are one person (with email-only linking that is exactly a connected component);
voter tokens count only when on exactly one voter record; per person, the first pass (email,
phone, name_yob_zip, name_addr, name_zip) with hits decides matched (one voter) or ambiguous;
overlap, lists and per-district counts; and one output row per member record with its
status, match key, districts and list count (blindmatch's orgs/<org>.csv), written to CSV.
Prints one JSON line: seconds, peak memory, and counts to check against summary.json.
"""

import json
import os
import resource
import sys
import time

import duckdb


def main():
    out_dir, threads, voters, orgs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    os.makedirs(out_dir, exist_ok=True)
    started = time.time()
    # A database file, not an in-memory one: in-memory tables cannot spill, and the hashed
    # voter file alone is several GB of 64-character strings.
    con = duckdb.connect(os.path.join(out_dir, "merge.duckdb"))

    def step(sql):
        t = time.time()
        result = con.execute(sql)
        print(f"{time.time() - t:8.1f} s  {' '.join(sql.split())[:70]}", file=sys.stderr, flush=True)
        return result

    step(f"SET threads={threads}")
    step(f"SET temp_directory='{out_dir}/duckdb.tmp'")
    # Without a limit DuckDB's default (80% of RAM) let this workload be OOM-killed on a
    # 24 GiB machine; with one it spills to the temp directory instead.
    step(f"SET memory_limit='{os.environ.get('DUCKDB_MEMORY_LIMIT', '12GB')}'")
    step("SET preserve_insertion_order=false")
    kinds = "email, phone, name_zip, name_addr, name_yob_zip"
    # One INSERT per org file: a single multi-file read_csv(..., filename=true) of these
    # files was far slower and ran out of memory at full size.
    step(f"CREATE TABLE m (org VARCHAR, {kinds.replace(',', ' VARCHAR,')} VARCHAR)")
    for i, f in enumerate(orgs):
        step(f"""
            INSERT INTO m SELECT '{i}', {kinds}
            FROM read_csv('{f}', comment='#', header=true, all_varchar=true)""")
    step(f"""
        CREATE TABLE v AS
        SELECT *
        FROM read_csv('{voters}', comment='#', header=true, all_varchar=true)""")
    kept = [c for (c,) in step("SELECT column_name FROM (DESCRIBE v)").fetchall()][5:]
    step(f"""
        CREATE TABLE mp AS
        SELECT rowid AS rec, *, coalesce(email, 'r' || rowid) AS person FROM m
        WHERE coalesce({kinds}) IS NOT NULL""")
    step(f"""
        CREATE TABLE vt AS
        SELECT kind, token, any_value(vrow) AS vrow FROM (
            UNPIVOT (SELECT rowid AS vrow, {kinds} FROM v) ON {kinds} INTO NAME kind VALUE token)
        GROUP BY kind, token HAVING count(*) = 1""")
    step(f"""
        CREATE TABLE hits AS
        SELECT DISTINCT t.person,
            CASE t.kind WHEN 'email' THEN 1 WHEN 'phone' THEN 2 WHEN 'name_yob_zip' THEN 3
                        WHEN 'name_addr' THEN 4 ELSE 5 END AS pass,
            t.kind, vt.vrow
        FROM (UNPIVOT (SELECT person, {kinds} FROM mp) ON {kinds} INTO NAME kind VALUE token) t
        JOIN vt USING (kind, token)""")
    step("""
        CREATE TABLE status AS
        SELECT person, min(kind) AS match_key, count(DISTINCT vrow) AS voters, min(vrow) AS vrow
        FROM hits WHERE (person, pass) IN (SELECT person, min(pass) FROM hits GROUP BY person)
        GROUP BY person""")
    step("CREATE TABLE po AS SELECT DISTINCT person, org FROM mp")
    step("CREATE TABLE lists AS SELECT person, count(*) AS lists FROM po GROUP BY person")
    geo = ", ".join(f'v."{c}"' for c in kept)
    step(f"""
        COPY (
            SELECT m.org, m.{kinds.replace(', ', ', m.')},
                CASE WHEN mp.person IS NULL THEN 'unusable'
                     WHEN s.voters = 1 THEN 'matched'
                     WHEN s.voters > 1 THEN 'ambiguous' ELSE 'unmatched' END AS voter_status,
                CASE WHEN s.voters = 1 THEN s.match_key END AS match_key,
                {geo}, coalesce(l.lists, 0) AS lists
            FROM (SELECT rowid AS rec, * FROM m) m
            LEFT JOIN mp USING (rec)
            LEFT JOIN status s ON s.person = mp.person
            LEFT JOIN v ON v.rowid = s.vrow AND s.voters = 1
            LEFT JOIN lists l ON l.person = mp.person
        ) TO '{out_dir}/records.csv' (HEADER)""")
    overlap = step(
        "SELECT a.org, b.org, count(*) FROM po a JOIN po b USING (person) GROUP BY ALL").fetchall()
    histogram = step("SELECT lists, count(*) FROM lists GROUP BY lists").fetchall()
    geography = {
        c: step(f"""SELECT v."{c}", count(*) FROM status s JOIN v ON v.rowid = s.vrow
                           WHERE s.voters = 1 GROUP BY ALL""").fetchall()
        for c in kept
    }
    people = step("SELECT count(*) FROM lists").fetchone()[0]
    matched, ambiguous = step(
        "SELECT count(*) FILTER (voters = 1), count(*) FILTER (voters > 1) FROM status").fetchone()
    seconds = time.time() - started
    print(json.dumps({
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "people": people,
        "matched": matched,
        "ambiguous": ambiguous,
        "overlap_cells": len(overlap),
        "lists": {str(k): v for k, v in histogram},
        "geography_values": sum(len(g) for g in geography.values()),
        "duckdb": duckdb.__version__,
    }))


if __name__ == "__main__":
    main()
