#!/usr/bin/env python3
"""The peer engines of `make bench` (bench/peers/run.sh): load cdrd's calls into PostgreSQL,
ClickHouse and a plain SQLite copy, time the Call API's list queries on each, print the table.

Subcommands:
  run    loads the peers from cdrd's database, checks that every engine gives the same answer
         to every query, times each query on each engine (interleaved rounds after a warm-up)
         and writes one line per query and engine to --out (TSV)
  table  joins cdrd's figures (bench/run.sh) with the peers' into the Markdown table

Latency is measured in this process around each query, through each engine's own client:
psycopg2 (libpq) for PostgreSQL, the HTTP interface of ClickHouse over one keep-alive
connection, the sqlite3 module for SQLite. A query that shows a total runs the page and the
count, as cdrd does; the figure covers both. The `round trip` row (SELECT 1) shows what the
client and the connection alone cost.
"""

import argparse
import http.client
import math
import os
import sqlite3
import sys
import time

DAY_US = 86400 * 1_000_000
PAGE = 20

# ---- the logical queries ----------------------------------------------------------------------
#
# A condition is (op, column, value): eq, ge, le, in (a list), prefix (number digits: the
# column without its leading '+' begins with them, as call_filter.cpp: a half-open range
# [digits, successor(digits)) over the *_digits column).


def successor(prefix):
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class Query:
    def __init__(self, key, label, where, offset=0, count=True, uuid=False):
        self.key, self.label, self.where = key, label, where
        self.offset, self.count, self.uuid = offset, count, uuid


def make_queries(a):
    acc = ("eq", "account_id", a.account_id)
    window = ("ge", "end_time", a.now_us - 30 * DAY_US)  # the SIP-trunk API's list window
    floor = ("ge", "end_time", a.now_us - 90 * DAY_US)   # the retention floor
    filtered = lambda digits: [acc, ("eq", "direction", 1), ("prefix", "to_digits", digits),
                               ("ge", "bill_duration_s", 60), ("le", "bill_duration_s", 600),
                               window]
    qs = [
        Query("uuid", "retrieve by uuid", [acc, floor], count=False, uuid=True),
        Query("first", "first page + count, 30-day window", [acc, window]),
        Query("filtered", "outbound, to +49, bill 60..600 + count", filtered("49")),
        Query("deep", "offset %d + count" % a.deep_offset, [acc, window], offset=a.deep_offset),
        Query("home", "outbound, to +44 (home prefix), bill 60..600 + count", filtered("44")),
        Query("pbx_user", "PBX from_username IN (%d names), no count" % len(a.usernames),
              [acc, floor, ("in", "from_username", a.usernames)], count=False),
        Query("pbx_deep", "PBX page %d (offset %d), no count" % (a.pbx_page, (a.pbx_page - 1) * PAGE),
              [acc, floor], offset=(a.pbx_page - 1) * PAGE, count=False),
        Query("trunk", "trunk_id (inbound trunk) + count", [acc, ("eq", "trunk_id", a.trunk_id),
                                                             window]),
        Query("combo90", "outbound, hangup 3000, bill >= 60, 90 days + count",
              [acc, ("eq", "direction", 1), ("eq", "hangup_cause_code", 3000),
               ("ge", "bill_duration_s", 60), ("ge", "end_time", a.now_us - 90 * DAY_US)]),
    ]
    return [q for q in qs if not a.only or q.key in a.only.split(",")]


# Each engine renders a condition list into SQL with its own placeholder style; ClickHouse
# 18.16 has no query parameters over HTTP, so it gets literals (all values are ours).
def render(where, ph, literal=None):
    sql, args = [], []

    def val(v):
        if literal:
            return literal(v)
        args.append(v)
        return ph(len(args))

    for op, col, v in where:
        if op == "eq":
            sql.append("%s = %s" % (col, val(v)))
        elif op == "ge":
            sql.append("%s >= %s" % (col, val(v)))
        elif op == "le":
            sql.append("%s <= %s" % (col, val(v)))
        elif op == "in":
            sql.append("%s IN (%s)" % (col, ", ".join(val(x) for x in v)))
        elif op == "prefix":
            sql.append("%s >= %s AND %s < %s" % (col, val(v), col, val(successor(v))))
    return " AND ".join(sql), args


# ---- the source: cdrd's database --------------------------------------------------------------


def source_columns(src):
    """(name, sqlite type, not null) of the calls table, without the legs blob, plus the two
    digits columns (generated in cdrd's schema, stored plainly in the peers)."""
    cols = [(r[1], r[2].upper(), bool(r[3]) or bool(r[5]))  # the primary key is never NULL
            for r in src.execute("PRAGMA table_info(calls)") if r[1] != "legs"]
    return cols + [("from_digits", "TEXT", True), ("to_digits", "TEXT", True)]


def source_select(cols):
    return "SELECT " + ", ".join(
        "ltrim(%s, '+')" % ("from_number" if n == "from_digits" else "to_number")
        if n.endswith("_digits") else n for n, _, _ in cols) + " FROM calls ORDER BY id"


def tsv_escape(v):
    if v is None:
        return "\\N"
    if isinstance(v, float):
        return repr(v)
    s = str(v)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def export_tsv(src, cols, path):
    """The calls as TSV in the text format both COPY and ClickHouse's TabSeparated read."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for row in src.execute(source_select(cols)):
            f.write("\t".join(tsv_escape(v) for v in row))
            f.write("\n")
            n += 1
    return n


# ---- engines -----------------------------------------------------------------------------------

ROW_COLUMNS = None  # the columns a page returns: every stored column of cdrd's calls but legs


class SqliteCovering:
    """A plain copy of the calls (rowid = cdrd's id) with ONE covering index for the lists:
    (account_id, end_time, id, <every filtered column>), so a count over any of the filters is
    a scan of that index alone and a page's 20 ids come from it before 20 row look-ups; and the
    unique (account_id, call_uuid) that cdrd also has for the retrieve."""
    name = "SQLite+covering"

    def __init__(self, path, src_path, cols):
        if os.path.exists(path):
            os.remove(path)
        db = sqlite3.connect(path, isolation_level=None)
        types = {"INTEGER": "INTEGER", "TEXT": "TEXT", "REAL": "REAL"}
        defs = ["id INTEGER PRIMARY KEY"] + ["%s %s%s" % (n, types[t], " NOT NULL" if nn else "")
                                             for n, t, nn in cols if n != "id"]
        db.execute("CREATE TABLE calls (%s)" % ", ".join(defs))
        db.execute("ATTACH DATABASE ? AS src", (src_path,))
        names = [n for n, _, _ in cols]
        select = source_select(cols).replace(" FROM calls ", " FROM src.calls ")
        db.execute("BEGIN")
        db.execute("INSERT INTO calls (%s) %s" % (", ".join(names), select))
        db.execute("COMMIT")
        db.execute("DETACH DATABASE src")
        db.execute("CREATE UNIQUE INDEX calls_by_uuid ON calls(account_id, call_uuid)")
        db.execute("CREATE INDEX calls_cover ON calls(account_id, end_time, id, direction, "
                   "bill_duration_s, hangup_cause_code, trunk_id, to_digits, from_username)")
        db.execute("ANALYZE")
        db.close()
        self.db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, isolation_level=None,
                                  check_same_thread=False)
        self.db.execute("PRAGMA cache_size=-262144")  # 256 MiB
        self.db.execute("PRAGMA mmap_size=1073741824")

    def close(self):
        self.db.close()

    def ping(self):
        return self.db.execute("SELECT 1").fetchall()

    def explain(self, q, uuid):
        self.plan = []
        real, self.db = self.db, _Explaining(self.db, self.plan, "EXPLAIN QUERY PLAN ")
        try:
            self.run(q, uuid)
        finally:
            self.db = real
        return self.plan

    def run(self, q, uuid=None):
        ph = lambda i: "?"
        if q.uuid:
            w, args = render(q.where + [("eq", "call_uuid", uuid)], ph)
            rows = self.db.execute("SELECT %s FROM calls WHERE %s" % (ROW_COLUMNS, w),
                                   args).fetchall()
            return [r[0] for r in rows], None
        w, args = render(q.where, ph)
        # The page's ids from the covering index, then their rows (a deferred join).
        rows = self.db.execute(
            "SELECT %s FROM calls WHERE id IN (SELECT id FROM calls INDEXED BY calls_cover "
            "WHERE %s ORDER BY end_time DESC, id DESC LIMIT %d OFFSET %d) "
            "ORDER BY end_time DESC, id DESC" % (ROW_COLUMNS, w, PAGE, q.offset), args).fetchall()
        total = None
        if q.count:
            total = self.db.execute("SELECT count(*) FROM calls INDEXED BY calls_cover WHERE " + w,
                                    args).fetchone()[0]
        return [r[0] for r in rows], total


class _Explaining:
    """Stands in for a connection or cursor: runs each statement under an EXPLAIN prefix and
    keeps the plan's lines."""

    def __init__(self, real, plan, prefix):
        self.real, self.plan, self.prefix = real, plan, prefix

    def execute(self, sql, args=()):
        rows = self.real.execute(self.prefix + sql, args)
        rows = rows.fetchall() if rows is not None else self.real.fetchall()
        self.plan.append(sql)
        self.plan.extend("    " + " ".join(str(c) for c in r) for r in rows)
        return self

    def fetchall(self):
        return [[0]]

    def fetchone(self):
        return [0]


class Postgres:
    """PostgreSQL 15: the calls with the indexes a DBA would give these queries (docs/benchmarks.md):
    the unique (account_id, call_uuid); a covering list index (account_id, end_time, id) INCLUDE
    every filtered column, so every count is an index-only scan and every page's ids come from
    an index before 20 heap fetches; and one index per selective filter, each ending in
    (end_time, id) so its matches come in the list's order."""
    name = "PostgreSQL"

    INDEXES = [
        "CREATE UNIQUE INDEX calls_by_uuid ON calls (account_id, call_uuid)",
        "CREATE INDEX calls_list ON calls (account_id, end_time, id) INCLUDE (direction, "
        "bill_duration_s, hangup_cause_code, trunk_id, to_digits, from_username)",
        "CREATE INDEX calls_to ON calls (account_id, to_digits, end_time, id) "
        "INCLUDE (direction, bill_duration_s)",
        "CREATE INDEX calls_from_user ON calls (account_id, from_username, end_time, id)",
        "CREATE INDEX calls_trunk ON calls (account_id, trunk_id, end_time, id)",
        "CREATE INDEX calls_dir_cause ON calls (account_id, direction, hangup_cause_code, "
        "end_time, id) INCLUDE (bill_duration_s)",
    ]

    def __init__(self, port, tsv, cols):
        import psycopg2  # Debian's python3-psycopg2
        self.db = psycopg2.connect(host="127.0.0.1", port=port, user="bench", dbname="postgres")
        self.db.autocommit = True
        cur = self.db.cursor()
        types = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision"}
        defs = ["%s %s%s" % (n, types[t], " NOT NULL" if nn else "") for n, t, nn in cols]
        cur.execute("DROP TABLE IF EXISTS calls")
        cur.execute("CREATE TABLE calls (%s, PRIMARY KEY (id))" % ", ".join(defs))
        with open(tsv, encoding="utf-8") as f:
            cur.copy_expert("COPY calls FROM STDIN", f, size=1 << 20)
        for sql in self.INDEXES:
            cur.execute(sql)
        cur.execute("VACUUM (FREEZE, ANALYZE) calls")  # the visibility map index-only scans need
        self.cur = cur
        self.prepared = {}

    def close(self):
        self.db.close()

    def ping(self):
        self.cur.execute("SELECT 1")
        return self.cur.fetchall()

    def explain(self, q, uuid):
        plan = []
        real, self.cur = self.cur, _Explaining(self.cur, plan, "EXPLAIN (ANALYZE, BUFFERS) ")
        try:
            self.run(q, uuid)
        finally:
            self.cur = real
        return plan

    def execute(self, name, sql, args):
        if name not in self.prepared:
            self.cur.execute("PREPARE %s AS %s" % (name, sql))
            self.prepared[name] = "EXECUTE %s%s" % (
                name, "(%s)" % ", ".join(["%s"] * len(args)) if args else "")
        self.cur.execute(self.prepared[name], args)
        return self.cur.fetchall()

    def run(self, q, uuid=None):
        ph = lambda i: "$%d" % i
        if q.uuid:
            w, args = render(q.where + [("eq", "call_uuid", uuid)], ph)
            rows = self.execute("q_uuid", "SELECT %s FROM calls WHERE %s" % (ROW_COLUMNS, w), args)
            return [r[0] for r in rows], None
        w, args = render(q.where, ph)
        rows = self.execute(
            "q_%s_page" % q.key,
            "SELECT %s FROM calls c JOIN (SELECT id FROM calls WHERE %s ORDER BY end_time DESC, "
            "id DESC LIMIT %d OFFSET %d) p USING (id) ORDER BY c.end_time DESC, c.id DESC"
            % (", ".join("c." + n for n in ROW_COLUMNS.split(", ")), w, PAGE, q.offset), args)
        total = None
        if q.count:
            total = self.execute("q_%s_count" % q.key, "SELECT count(*) FROM calls WHERE " + w,
                                 args)[0][0]
        return [r[0] for r in rows], total


class ClickHouse:
    """ClickHouse 18.16 (Debian's): MergeTree sorted by (account_id, end_time, id), so an
    account's time window is one contiguous range of the primary key. 18.16 has no data
    skipping indexes and no reading in key order for ORDER BY, so the retrieve by uuid gets a
    second table sorted by (account_id, call_uuid), as one would keep a lookup projection."""
    name = "ClickHouse"

    def __init__(self, port, tsv, cols):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        types = {"INTEGER": "Int64", "TEXT": "String", "REAL": "Float64"}
        defs = ", ".join("%s %s" % (n, types[t] if nn else "Nullable(%s)" % types[t])
                         for n, t, nn in cols)
        self.query("DROP TABLE IF EXISTS calls")
        self.query("DROP TABLE IF EXISTS calls_by_uuid")
        self.query("CREATE TABLE calls (%s) ENGINE = MergeTree() ORDER BY (account_id, end_time, id)"
                   % defs)
        self.query("CREATE TABLE calls_by_uuid (%s) ENGINE = MergeTree() "
                   "ORDER BY (account_id, call_uuid) SETTINGS index_granularity = 1024" % defs)
        batch, n = [], 0
        with open(tsv, "rb") as f:
            for line in f:
                batch.append(line)
                n += 1
                if n % 500_000 == 0:
                    self.query("INSERT INTO calls FORMAT TabSeparated", b"".join(batch))
                    batch = []
        if batch:
            self.query("INSERT INTO calls FORMAT TabSeparated", b"".join(batch))
        self.query("OPTIMIZE TABLE calls FINAL")
        self.query("INSERT INTO calls_by_uuid SELECT * FROM calls")
        self.query("OPTIMIZE TABLE calls_by_uuid FINAL")

    def close(self):
        self.conn.close()

    def query(self, sql, data=None):
        if data is None:
            body = sql.encode()
            path = "/"
        else:
            from urllib.parse import quote
            body = data
            path = "/?query=" + quote(sql)
        try:
            self.conn.request("POST", path, body=body)
            r = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # ClickHouse closes a keep-alive connection idle for a few seconds (while the other
            # engines load, say): connect again, once, outside any timed round.
            self.conn.close()
            self.conn.connect()
            self.conn.request("POST", path, body=body)
            r = self.conn.getresponse()
        out = r.read().decode()
        if r.status != 200:
            raise RuntimeError("ClickHouse: %d %s for %s" % (r.status, out[:500], sql[:300]))
        return out

    def rows(self, sql):
        out = self.query(sql + " FORMAT TabSeparated")
        return [line.split("\t") for line in out.split("\n") if line]

    def ping(self):
        return self.rows("SELECT 1")

    @staticmethod
    def literal(v):
        if isinstance(v, int):
            return str(v)
        return "'%s'" % str(v).replace("\\", "\\\\").replace("'", "\\'")

    def run(self, q, uuid=None):
        if q.uuid:
            w, _ = render(q.where + [("eq", "call_uuid", uuid)], None, self.literal)
            rows = self.rows("SELECT %s FROM calls_by_uuid WHERE %s" % (ROW_COLUMNS, w))
            return [int(r[0]) for r in rows], None
        w, _ = render(q.where, None, self.literal)
        # The page's keys first (only the filtered columns are read), then their rows through
        # the primary key.
        rows = self.rows(
            "SELECT %s FROM calls WHERE account_id = %d AND (end_time, id) IN (SELECT end_time, id "
            "FROM calls WHERE %s ORDER BY end_time DESC, id DESC LIMIT %d, %d) "
            "ORDER BY end_time DESC, id DESC" % (ROW_COLUMNS, q.where[0][2], w, q.offset, PAGE))
        total = None
        if q.count:
            total = int(self.rows("SELECT count() FROM calls WHERE " + w)[0][0])
        return [int(r[0]) for r in rows], total


# ---- measuring ---------------------------------------------------------------------------------


def percentile(sorted_values, p):
    """Nearest rank, as loadgen."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(p / 100.0 * len(sorted_values))))
    return sorted_values[rank - 1]


def log(msg):
    print("peers: " + msg, file=sys.stderr, flush=True)


def cmd_run(a):
    global ROW_COLUMNS
    src = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True)
    a.account_id = src.execute("SELECT id FROM accounts WHERE auth_id = ?",
                               (a.auth_id,)).fetchone()[0]
    a.usernames = [u for u in a.usernames.split(",") if u]
    with open(a.uuids_file) as f:
        uuids = [line.strip().rstrip("/").rsplit("/", 1)[-1] for line in f if line.strip()]
    cols = source_columns(src)
    ROW_COLUMNS = ", ".join(n for n, _, _ in cols if not n.endswith("_digits"))
    tsv = os.path.join(a.work, "calls.tsv")
    t0 = time.time()
    n = export_tsv(src, cols, tsv)
    log("exported %d calls (%d columns) in %.1f s" % (n, len(cols), time.time() - t0))
    src.close()

    engines = []
    for make, what in ((lambda: Postgres(a.pg_port, tsv, cols), "PostgreSQL"),
                       (lambda: ClickHouse(a.ch_port, tsv, cols), "ClickHouse"),
                       (lambda: SqliteCovering(os.path.join(a.work, "covering.db"), a.db, cols),
                        "SQLite+covering")):
        if what.split("+")[0].lower() in a.skip.lower():
            continue
        t0 = time.time()
        engines.append(make())
        log("%s: loaded and indexed in %.1f s" % (what, time.time() - t0))
    os.remove(tsv)

    queries = make_queries(a)
    # Every engine gives the same answer: the same page (ids in order) and the same total.
    answers = {}
    for q in queries:
        for e in engines:
            got = e.run(q, uuids[0])
            if q.key in answers and answers[q.key][1] != got:
                ref, ref_got = answers[q.key]
                raise SystemExit("peers: %s: %s answers %s, %s answers %s" % (
                    q.key, e.name, got, ref, ref_got))
            answers.setdefault(q.key, (e.name, got))
        ids, total = answers[q.key][1]
        log("%s: %d rows, total %s" % (q.key, len(ids), total))

    if a.plans:
        with open(a.plans, "w") as f:
            for q in queries:
                for e in engines:
                    if hasattr(e, "explain"):
                        f.write("== %s: %s\n" % (e.name, q.label))
                        f.write("\n".join(e.explain(q, uuids[0])) + "\n\n")

    samples = {(q.key, e.name): [] for q in queries for e in engines}
    spent = {k: 0.0 for k in samples}
    pings = {e.name: [] for e in engines}
    clock = time.perf_counter
    u = 0
    for r in range(a.warmup + a.rounds):
        measured = r >= a.warmup
        order = engines[r % len(engines):] + engines[:r % len(engines)]  # rotate who goes first
        for e in order:
            t = clock()
            e.ping()
            if measured:
                pings[e.name].append((clock() - t) * 1000)
        for q in queries:
            u = (u + 1) % len(uuids)
            for e in order:
                k = (q.key, e.name)
                if measured and spent[k] > a.budget_s and len(samples[k]) >= a.min_rounds:
                    continue
                t = clock()
                e.run(q, uuids[u])
                ms = (clock() - t) * 1000
                if measured:
                    samples[k].append(ms)
                    spent[k] += ms / 1000
        if r + 1 == a.warmup:
            log("warm-up done (%d rounds); measuring %d rounds" % (a.warmup, a.rounds))
    for e in engines:
        e.close()

    with open(a.out, "w") as out:
        out.write("key\tlabel\tengine\tn\tp50_ms\tp99_ms\ttotal\n")
        for e in engines:
            s = sorted(pings[e.name])
            out.write("ping\tround trip (SELECT 1)\t%s\t%d\t%.3f\t%.3f\t\n" % (
                e.name, len(s), percentile(s, 50), percentile(s, 99)))
        for q in queries:
            total = answers[q.key][1][1]
            for e in engines:
                s = sorted(samples[(q.key, e.name)])
                out.write("%s\t%s\t%s\t%d\t%.3f\t%.3f\t%s\n" % (
                    q.key, q.label, e.name, len(s), percentile(s, 50), percentile(s, 99),
                    "" if total is None else total))


def read_tsv(path):
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        return [dict(zip(head, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


def times_faster(best_peer_ms, cdrd_ms):
    """The best peer's p50 over cdrd's, as "176x" (cdrd that many times faster) or "0.73x"."""
    if cdrd_ms <= 0:
        return ""
    r = best_peer_ms / cdrd_ms
    return "%.0fx" % r if r >= 100 else "%.1fx" % r if r >= 1 else "%.2fx" % r


def cmd_table(a):
    cdrd = {r["key"]: r for r in read_tsv(a.cdrd)}
    peers = read_tsv(a.peers) if a.peers and os.path.exists(a.peers) else []
    engines = []
    for r in peers:
        if r["engine"] not in engines:
            engines.append(r["engine"])
    by = {(r["key"], r["engine"]): r for r in peers}
    keys = []
    for r in peers:
        if r["key"] not in keys:
            keys.append(r["key"])
    for k in cdrd:
        if k not in keys:
            keys.append(k)
    print("| query | total | cdrd p50 / p99 ms | "
          + " | ".join("%s p50 / p99 ms" % e for e in engines)
          + " | best peer / cdrd (p50) |")
    print("|---|---:|---:|" + "---:|" * len(engines) + "---:|")
    for k in keys:
        c = cdrd.get(k)
        label = c["label"] if c else next(r["label"] for r in peers if r["key"] == k)
        total = next((r["total"] for r in peers if r["key"] == k and r["total"]), "")
        if c and c.get("total"):
            total = c["total"] if not total or total == c["total"] else "%s (peers %s)" % (
                c["total"], total)
        cells, best = [], None
        for e in engines:
            r = by.get((k, e))
            if not r or r["n"] == "0":
                cells.append("")
                continue
            cells.append("%s / %s" % (r["p50_ms"], r["p99_ms"]))
            p50 = float(r["p50_ms"])
            best = p50 if best is None else min(best, p50)
        if c and c["p50_ms"] not in ("", "INVALID"):
            cdrd_cell = "%s / %s" % (c["p50_ms"], c["p99_ms"])
            ratio = times_faster(best, float(c["p50_ms"])) if best else ""
        else:
            cdrd_cell = c["p50_ms"] if c else ""
            ratio = ""
        print("| %s | %s | %s | %s | %s |" % (label, total, cdrd_cell, " | ".join(cells), ratio))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--db", required=True, help="cdrd's database (after the ingest)")
    r.add_argument("--auth-id", required=True, help="the account the queries ask about")
    r.add_argument("--now-us", type=int, required=True, help="'now' of the windows")
    r.add_argument("--trunk-id", required=True)
    r.add_argument("--usernames", required=True, help="from_username values, comma-separated")
    r.add_argument("--deep-offset", type=int, default=10000)
    r.add_argument("--pbx-page", type=int, default=5000)
    r.add_argument("--uuids-file", required=True, help="retrieve paths (.../{call_uuid}/)")
    r.add_argument("--pg-port", type=int)
    r.add_argument("--ch-port", type=int)
    r.add_argument("--skip", default="", help="engines to leave out (postgresql,clickhouse,sqlite)")
    r.add_argument("--only", default="", help="query keys to run (default: all)")
    r.add_argument("--work", required=True, help="a directory for the export and the SQLite copy")
    r.add_argument("--warmup", type=int, default=10, help="rounds before measuring")
    r.add_argument("--rounds", type=int, default=200, help="measured rounds")
    r.add_argument("--min-rounds", type=int, default=20)
    r.add_argument("--budget-s", type=float, default=10.0,
                   help="after this many seconds on one query and engine, stop at min-rounds")
    r.add_argument("--out", required=True)
    r.add_argument("--plans", help="write PostgreSQL's and SQLite's query plans here")
    t = sub.add_parser("table")
    t.add_argument("--cdrd", required=True)
    t.add_argument("--peers")
    a = p.parse_args()
    {"run": cmd_run, "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    main()
