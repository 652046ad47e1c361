#!/usr/bin/env python3
"""Reference figures for bench/store.bench.ts: native SQLite through Python's sqlite3 doing
the same work as `mlloop import` (read the CSV, check the label and that every feature is a
number, hash the record's canonical JSON, JSON-encode it, insert with the same table and
unique index in one transaction), then one-row write transactions on that store.

Usage: store_reference.py CSV DB_PATH JOURNAL_MODE   (JOURNAL_MODE: wal or delete)
Prints one JSON object. Run by the benchmark; never a test.
"""
import csv
import hashlib
import json
import os
import re
import resource
import sqlite3
import statistics
import sys
import time

NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def main() -> None:
    src, db_path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(db_path + suffix):
            os.remove(db_path + suffix)
    t0 = time.perf_counter()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute(f"PRAGMA journal_mode = {mode}")
    db.execute(
        "CREATE TABLE examples (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, source TEXT NOT NULL, "
        "source_line INTEGER, imported_at TEXT NOT NULL, event_time TEXT, label, weight REAL, record TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX examples_event_time ON examples (event_time)")
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    seen: dict[int, int] = {}
    rows = 0
    with open(src, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        label_at = len(header) - 1
        db.execute("BEGIN")
        batch = []
        for line, values in enumerate(reader, start=2):
            record = dict(zip(header, values))
            if not values[label_at].strip():
                continue
            if not all(NUMBER.match(v.strip()) for v in values[:label_at]):
                continue
            canonical = json.dumps([[k, record[k]] for k in sorted(record)], separators=(",", ":"), ensure_ascii=False)
            base = hashlib.sha1((canonical + "#0").encode()).hexdigest()
            key = int(base[:13], 16)
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            h = base if occurrence == 0 else hashlib.sha1((canonical + f"#{occurrence}").encode()).hexdigest()
            batch.append((h, "rows.csv", line, now, now, values[label_at], None, json.dumps(record, separators=(",", ":"), ensure_ascii=False)))
            rows += 1
            if len(batch) >= 5000:
                db.executemany("INSERT OR IGNORE INTO examples (hash, source, source_line, imported_at, event_time, label, weight, record) VALUES (?,?,?,?,?,?,?,?)", batch)
                batch = []
        if batch:
            db.executemany("INSERT OR IGNORE INTO examples (hash, source, source_line, imported_at, event_time, label, weight, record) VALUES (?,?,?,?,?,?,?,?)", batch)
        db.execute("COMMIT")
    import_s = time.perf_counter() - t0

    times = []
    for i in range(200):
        t = time.perf_counter()
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO examples (hash, source, source_line, imported_at, event_time, label, weight, record) VALUES (?,?,?,?,?,?,?,?)",
            (f"one-{i}", "cli", None, now, now, "a1", None, '{"f0":"1"}'),
        )
        db.execute("COMMIT")
        times.append((time.perf_counter() - t) * 1000)
    db.close()
    print(json.dumps({
        "journal_mode": mode,
        "rows": rows,
        "import_s": round(import_s, 2),
        "one_row_write_ms_median": round(statistics.median(times), 3),
        "one_row_write_ms_p95": round(sorted(times)[int(0.95 * len(times))], 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "db_mb": round(os.path.getsize(db_path) / 1e6),
    }))


if __name__ == "__main__":
    main()
