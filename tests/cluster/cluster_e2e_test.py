#!/usr/bin/env python3
"""The local cluster end to end (docs/scale-out.md, "Local cluster").

Starts scripts/cluster.sh (two ClickHouse shards, one PostgreSQL, two cdrd nodes), then:
  1. ingests through both nodes at once; both nodes list the same answers, whose count is the
     sum of what each node stored;
  2. kills node 2 with SIGKILL in the middle of an ingest, restarts it, sends again every batch
     that was not acknowledged, and shows that every acknowledged call is there, that nothing is
     counted twice, and that both nodes still give the same answers.
Exit 77 (skipped) when ClickHouse or PostgreSQL cannot be installed or started.

usage: cluster_e2e_test.py CDRD_BINARY SOURCE_DIR STATE_DIR
"""
import base64
import datetime
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

CDRD, SOURCE, STATE = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
SCRIPT = os.path.join(SOURCE, "scripts", "cluster.sh")
T0 = time.monotonic()


def log(*args):
    print("[%5.1f s]" % (time.monotonic() - T0), *args, flush=True)


def cluster(*args, check=True):
    env = dict(os.environ, CDRD=CDRD)
    r = subprocess.run(["bash", SCRIPT, *args], env=env, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("cluster.sh %s: exit %d\n%s%s" % (args, r.returncode, r.stdout,
                                                            r.stderr))
    return r


def request(url, method, target, body=None, headers=None, timeout=30):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        c.request(method, target, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read().decode()
    finally:
        c.close()


BASE = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def record(auth_id, uuid, i):
    end = BASE - datetime.timedelta(hours=2, seconds=i % 5000)  # ties on end_time too
    fmt = "%Y-%m-%d %H:%M:%S"
    return json.dumps({
        "account": auth_id, "call_uuid": uuid, "call_direction": "outbound",
        "from_number": "+14155550100", "to_number": "+4420712%05d" % (i % 100000),
        "initiation_time": (end - datetime.timedelta(seconds=40)).strftime(fmt),
        "answer_time": (end - datetime.timedelta(seconds=30)).strftime(fmt),
        "end_time": end.strftime(fmt), "rate": "0.01000", "total_amount": "0.00500"})


class Batches:
    """Batches of calls, what was acknowledged, and what must be sent again."""

    def __init__(self, env):
        self.env = env
        self.lock = threading.Lock()
        self.acked = set()        # uuids of acknowledged batches
        self.unacked = []         # (label, uuids) of batches without an answer
        self.stored = 0           # the sum of "stored" over every answer

    def make(self, prefix, first, n):
        return ["%s-%06d" % (prefix, first + k) for k in range(n)]

    def send(self, node_url, uuids, label, timeout=60):
        body = "\n".join(record(self.env["AUTH_ID"], u, int(u.rsplit("-", 1)[1]))
                         for u in uuids) + "\n"
        headers = {"Authorization": "Bearer " + self.env["OPERATOR_KEY"],
                   "Content-Type": "application/x-ndjson"}
        try:
            status, text = request(node_url, "POST", "/v1/ingest/calls", body, headers, timeout)
        except (OSError, http.client.HTTPException) as e:
            with self.lock:
                self.unacked.append((label, uuids))
            return "no answer (%s)" % type(e).__name__
        if status != 200:
            with self.lock:
                self.unacked.append((label, uuids))
            return "status %d" % status
        answer = json.loads(text)
        if answer["stored"] + answer["duplicates"] != len(uuids):
            raise AssertionError("%s: %s" % (label, text))
        with self.lock:
            self.acked.update(uuids)
            self.stored += answer["stored"]
        return "stored %d duplicates %d" % (answer["stored"], answer["duplicates"])


def basic(env):
    token = base64.b64encode(("%s:%s" % (env["AUTH_ID"], env["AUTH_TOKEN"])).encode()).decode()
    return {"Authorization": "Basic " + token}


def without_api_id(text):
    d = json.loads(text)
    d.pop("api_id", None)
    return json.dumps(d, sort_keys=True)


def same_answers(env, targets):
    """Each target's answer through both nodes: equal, api_id aside. Returns node 1's."""
    answers = []
    for target in targets:
        s1, b1 = request(env["NODE1_URL"], "GET", target, headers=basic(env))
        s2, b2 = request(env["NODE2_URL"], "GET", target, headers=basic(env))
        if (s1, without_api_id(b1)) != (s2, without_api_id(b2)):
            raise AssertionError("%s differs:\nnode 1: %d %s\nnode 2: %d %s" %
                                 (target, s1, b1[:400], s2, b2[:400]))
        if s1 != 200:
            raise AssertionError("%s: %d %s" % (target, s1, b1[:400]))
        answers.append(json.loads(b1))
    return answers


def feed_uuids(env, node):
    """Every call of the account through the change feed of `node`, in feed order."""
    uuids, after = [], 0
    while True:
        status, text = request(env[node], "GET", "/v1/Account/%s/Zentrunk/CallFeed/?after=%d&limit=1000"
                               % (env["AUTH_ID"], after), headers=basic(env))
        if status != 200:
            raise AssertionError("feed: %d %s" % (status, text[:300]))
        page = json.loads(text)
        uuids += [o["call_uuid"] for o in page["objects"]]
        if len(page["objects"]) < 1000:
            return uuids
        after = int(page["meta"]["next_cursor"])


def shard_rows():
    """The rows each shard's calls_local holds (physical rows, copies included)."""
    rows = []
    for shard in ("ch1", "ch2"):
        port = open(os.path.join(STATE, shard, "http_port")).read().strip()
        status, text = request("http://127.0.0.1:" + port, "POST", "/?database=cdrd",
                               "SELECT count() FROM calls_local")
        if status != 200:
            raise AssertionError("%s: %d %s" % (shard, status, text))
        rows.append(int(text))
    return rows


def check(env, batches, what):
    calls = "/v1/Account/%s/Zentrunk/Call/" % env["AUTH_ID"]
    # A fixed window: the default one starts at the request's second, which two requests may not
    # share.
    day = datetime.timedelta(days=1)
    usage = "/v1/Account/%s/Zentrunk/Usage/?period=hour&%s" % (env["AUTH_ID"], urllib.parse.urlencode(
        {"end_time__gte": (BASE - day).strftime("%Y-%m-%d %H:%M"),
         "end_time__lt": (BASE + day).strftime("%Y-%m-%d %H:%M")}))
    lists = same_answers(env, [calls, calls + "?offset=20", calls + "?to_number=44207120",
                               calls + "?limit=7&offset=1000",
                               usage])
    total = lists[0]["meta"]["total_count"]
    f1, f2 = feed_uuids(env, "NODE1_URL"), feed_uuids(env, "NODE2_URL")
    if f1 != f2:
        raise AssertionError("the feeds of the two nodes differ")
    if len(f1) != len(set(f1)):
        raise AssertionError("a call is in the feed twice")
    missing = batches.acked - set(f1)
    if missing:
        raise AssertionError("%d acknowledged calls are missing, e.g. %s" %
                             (len(missing), sorted(missing)[:3]))
    if total != len(f1) or total != batches.stored:
        raise AssertionError("total_count %d, feed %d calls, stored answered %d" %
                             (total, len(f1), batches.stored))
    rows = shard_rows()
    if min(rows) == 0:
        raise AssertionError("a shard holds no calls: %s" % rows)
    log("%s: both nodes answer the same; total_count %d = the sum of stored answers = feed %d; "
        "rows per shard %s" % (what, total, len(f1), rows))
    return total


def control_plane_on_both(env):
    """An OAuth token issued by node 1 works on node 2 and the cloud-PBX answers agree; a deck
    loaded through node 1 rates a call node 2 ingests; a revoked app stops on both."""
    r = subprocess.run([CDRD, "--data-dir", os.path.join(STATE, "node1", "data"), "--control",
                        env["CONTROL_URL"], "--control-key-file", os.path.join(STATE, "control.key"),
                        "app", "create", "--account", env["AUTH_ID"]],
                       capture_output=True, text=True, check=True)
    app = dict((k.strip(), v.strip()) for k, v in
               (line.split(":", 1) for line in r.stdout.splitlines()
                if line.strip().startswith("client_")))
    form = urllib.parse.urlencode({"grant_type": "client_credentials",
                                   "client_id": app["client_id"],
                                   "client_secret": app["client_secret"]})
    status, text = request(env["NODE1_URL"], "POST", "/oauth/token", form,
                           {"Content-Type": "application/x-www-form-urlencoded"})
    if status != 200:
        raise AssertionError("token from node 1: %d %s" % (status, text))
    bearer = {"Authorization": "Bearer " + json.loads(text)["access_token"]}
    status, text = request(env["NODE2_URL"], "GET", "/api/ver1.0/user/", headers=bearer)
    if status != 200:
        raise AssertionError("node 1's token on node 2: %d %s" % (status, text))
    client = json.loads(text)["client_id"]
    for target in ("/api/ver1.0/client/%s/calls/?per_page=50&page=3" % client,
                   "/api/ver1.0/client/%s/call_history/?per_page=20" % client):
        answers = [request(env[n], "GET", target, headers=bearer) for n in ("NODE1_URL", "NODE2_URL")]
        if answers[0] != answers[1] or answers[0][0] != 200:
            raise AssertionError("%s differs: %s" % (target, [a[1][:300] for a in answers]))

    operator = {"Authorization": "Bearer " + env["OPERATOR_KEY"], "Content-Type": "text/csv"}
    deck = "prefix,rate,initial_increment,subsequent_increment\n44,0.04,60,60\n"
    status, text = request(env["NODE1_URL"], "PUT", "/v1/ratedecks/%s/outbound" % env["AUTH_ID"],
                           deck, operator)
    if status != 200:
        raise AssertionError("deck through node 1: %d %s" % (status, text))
    line = json.loads(record(env["AUTH_ID"], "rated-000001", 1))
    del line["rate"], line["total_amount"]
    status, text = request(env["NODE2_URL"], "POST", "/v1/ingest/calls", json.dumps(line) + "\n",
                           {"Authorization": "Bearer " + env["OPERATOR_KEY"],
                            "Content-Type": "application/x-ndjson"})
    if status != 200 or json.loads(text)["stored"] != 1:
        raise AssertionError("rated call through node 2: %d %s" % (status, text))
    (call,) = same_answers(env, ["/v1/Account/%s/Zentrunk/Call/rated-000001/" % env["AUTH_ID"]])
    if (call["total_rate"], call["total_amount"]) != ("0.04000", "0.04000"):
        raise AssertionError("node 2 did not rate with node 1's deck: %s" % call)

    r = subprocess.run([CDRD, "--data-dir", os.path.join(STATE, "node2", "data"), "--control",
                        env["CONTROL_URL"], "--control-key-file", os.path.join(STATE, "control.key"),
                        "app", "revoke", app["client_id"]], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("app revoke: %s %s" % (r.stdout, r.stderr))
    for node in ("NODE1_URL", "NODE2_URL"):
        status, _ = request(env[node], "GET", "/api/ver1.0/user/", headers=bearer)
        if status != 401:
            raise AssertionError("a revoked token on %s: %d" % (node, status))
    log("control plane: node 1's OAuth token and deck hold on node 2, the PBX answers agree, "
        "a revoke through node 2's CLI stops the token on both")


def main():
    r = cluster("start", STATE, check=False)
    if r.returncode == 77:
        print("SKIPPED: the cluster cannot run here:\n" + r.stderr[-2000:])
        return 77
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        return 1
    env = dict(line.split("=", 1) for line in r.stdout.split("\n") if "=" in line)
    log("cluster started: node 1 %s, node 2 %s" % (env["NODE1_URL"], env["NODE2_URL"]))
    batches = Batches(env)

    # 1. Both nodes at once, 8 batches of 250 each.
    def writer(node, prefix):
        for b in range(8):
            uuids = batches.make(prefix, b * 250 + (0 if prefix == "a" else 2000), 250)
            outcome = batches.send(env[node], uuids, "%s batch %d" % (prefix, b))
            if not outcome.startswith("stored"):
                raise AssertionError("%s batch %d: %s" % (prefix, b, outcome))

    errors = []

    def run(fn, *args):
        try:
            fn(*args)
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=run, args=(writer, "NODE1_URL", "a")),
               threading.Thread(target=run, args=(writer, "NODE2_URL", "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    if check(env, batches, "after concurrent ingest") != 4000:
        raise AssertionError("expected 4000 calls")
    control_plane_on_both(env)
    batches.stored += 1  # the rated call

    # 2. Node 2 killed (SIGKILL) in the middle of its ingest, node 1 ingesting meanwhile.
    pid = int(open(os.path.join(STATE, "node2", "pid")).read())
    outcomes = {}

    def sequence(node, prefix, first, count, size):
        # One batch after the other, as a switch sends them; after a failure the rest are not
        # sent (they count as unacknowledged and are sent again below).
        failed = False
        for k in range(count):
            label = "%s batch %02d" % (node, k)
            uuids = batches.make(prefix, first + size * k, size)
            if failed:
                batches.unacked.append((label, uuids))
                outcomes[label] = "not sent"
                continue
            outcomes[label] = batches.send(env[node], uuids, label)
            failed = not outcomes[label].startswith("stored")

    threads = [threading.Thread(target=sequence, args=("NODE2_URL", "c", 5000, 12, 500)),
               threading.Thread(target=sequence, args=("NODE1_URL", "d", 20000, 6, 500))]
    for t in threads:
        t.start()
    # Killed once three of its batches were answered: the fourth is on its way.
    deadline = time.monotonic() + 30
    while sum(1 for k, o in list(outcomes.items()) if k.startswith("NODE2") and
              o.startswith("stored")) < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    log("node 2 (pid %d) killed with SIGKILL" % pid)
    for t in threads:
        t.join()
    for label in sorted(outcomes):
        log("  %s: %s" % (label, outcomes[label]))
    if not batches.unacked:
        raise AssertionError("node 2 answered every batch before it was killed")
    cluster("start-node", STATE, "2")
    log("node 2 restarted")
    # Everything without an answer, sent again (to the node that lost it).
    retry, batches.unacked = batches.unacked, []
    for label, uuids in sorted(retry):
        outcome = batches.send(env["NODE2_URL"], uuids, label + " again")
        log("  %s again: %s" % (label, outcome))
        if not outcome.startswith("stored"):
            raise AssertionError(outcome)
    # Every batch once more through the other node: all duplicates, nothing counted twice.
    again = Batches(env)
    for prefix, first, n in (("a", 0, 2000), ("c", 5000, 6000)):
        uuids = batches.make(prefix, first, n)
        outcome = again.send(env["NODE1_URL"], uuids, "resent")
        if again.stored != 0:
            raise AssertionError("resent %s: %s" % (prefix, outcome))
    total = check(env, batches, "after the kill, the restart and the retries")
    expected = 4000 + 1 + 6000 + 3000
    if total != expected:
        raise AssertionError("total_count %d, expected %d" % (total, expected))
    log("PASSED")
    return 0


if __name__ == "__main__":
    try:
        rc = main()
    finally:
        cluster("stop", STATE, check=False)
    sys.exit(rc)
