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
    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    con.execute(f"SET temp_directory='{out_dir}/duckdb.tmp'")
    files = "[" + ",".join(f"'{f}'" for f in orgs) + "]"
    kinds = "email, phone, name_zip, name_addr, name_yob_zip"
    con.execute(f"""
        CREATE TABLE m AS
        SELECT filename AS org, row_number() OVER () AS rec, {kinds}
        FROM read_csv({files}, comment='#', header=true, filename=true, all_varchar=true)""")
    con.execute(f"""
        CREATE TABLE v AS
        SELECT row_number() OVER () AS vrow, *
        FROM read_csv('{voters}', comment='#', header=true, all_varchar=true)""")
    kept = [c for (c,) in con.execute("SELECT column_name FROM (DESCRIBE v)").fetchall()][6:]
    con.execute(f"""
        CREATE TABLE mp AS
        SELECT *, coalesce(email, 'r' || rec) AS person FROM m
        WHERE coalesce({kinds}) IS NOT NULL""")
    con.execute(f"""
        CREATE TABLE vt AS
        SELECT kind, token, any_value(vrow) AS vrow FROM (
            UNPIVOT (SELECT vrow, {kinds} FROM v) ON {kinds} INTO NAME kind VALUE token)
        GROUP BY kind, token HAVING count(*) = 1""")
    con.execute(f"""
        CREATE TABLE hits AS
        SELECT DISTINCT t.person,
            CASE t.kind WHEN 'email' THEN 1 WHEN 'phone' THEN 2 WHEN 'name_yob_zip' THEN 3
                        WHEN 'name_addr' THEN 4 ELSE 5 END AS pass,
            t.kind, vt.vrow
        FROM (UNPIVOT (SELECT person, {kinds} FROM mp) ON {kinds} INTO NAME kind VALUE token) t
        JOIN vt USING (kind, token)""")
    con.execute("""
        CREATE TABLE status AS
        SELECT person, min(kind) AS match_key, count(DISTINCT vrow) AS voters, min(vrow) AS vrow
        FROM hits WHERE (person, pass) IN (SELECT person, min(pass) FROM hits GROUP BY person)
        GROUP BY person""")
    con.execute("CREATE TABLE po AS SELECT DISTINCT person, org FROM mp")
    con.execute("CREATE TABLE lists AS SELECT person, count(*) AS lists FROM po GROUP BY person")
    geo = ", ".join(f'v."{c}"' for c in kept)
    con.execute(f"""
        COPY (
            SELECT m.org, m.{kinds.replace(', ', ', m.')},
                CASE WHEN mp.person IS NULL THEN 'unusable'
                     WHEN s.voters = 1 THEN 'matched'
                     WHEN s.voters > 1 THEN 'ambiguous' ELSE 'unmatched' END AS voter_status,
                CASE WHEN s.voters = 1 THEN s.match_key END AS match_key,
                {geo}, coalesce(l.lists, 0) AS lists
            FROM m
            LEFT JOIN mp USING (rec)
            LEFT JOIN status s ON s.person = mp.person
            LEFT JOIN v ON v.vrow = s.vrow AND s.voters = 1
            LEFT JOIN lists l ON l.person = mp.person
        ) TO '{out_dir}/records.csv' (HEADER)""")
    overlap = con.execute(
        "SELECT a.org, b.org, count(*) FROM po a JOIN po b USING (person) GROUP BY ALL").fetchall()
    histogram = con.execute("SELECT lists, count(*) FROM lists GROUP BY lists").fetchall()
    geography = {
        c: con.execute(f"""SELECT v."{c}", count(*) FROM status s JOIN v ON v.vrow = s.vrow
                           WHERE s.voters = 1 GROUP BY ALL""").fetchall()
        for c in kept
    }
    people = con.execute("SELECT count(*) FROM lists").fetchone()[0]
    matched, ambiguous = con.execute(
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
