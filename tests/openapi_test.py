#!/usr/bin/env python3
"""The OpenAPI document against the running server (docs/openapi.md, "How it stays true").

Starts the real cdrd twice, each on a free port over a fresh `cdrd demo` data directory:
S1 with the demo's operator key, S2 without one, with a query budget of 1 ms and an
authentication throttle that trips on the first failure. Then it answers every operation of
openapi/cdrd.openapi.json for its success and for each error status the document lists (S2
gives the 403 of a server without an operator key, the 503 of a query over its budget, the
503 of /readyz and the 429 of a throttled address), and for each answer:

- finds the operation by method and path template (a 405 belongs to every operation of its
  path), and the response by status: an answer the document does not list fails;
- checks the Content-Type against the response's media types, the headers the response marks
  required, and validates the JSON body against the media type's schema (JSON Schema 2020-12,
  with every $ref into the components resolved; a HEAD's answer has no body to validate, and
  the console's files have media types but no schema: they are compared with console/);
  a media type with an `x-line-schema` (the streamed exports) is read line by line, each
  NDJSON line and each CSV row validated against it, the CSV header equal to its members;
- for a success, checks the request against the operation too: its credentials are of a
  scheme the operation's security names, each query parameter sent is documented and its
  value valid for its schema, and the body valid for the request body's schema (what the
  server accepts, the document must allow).

It fails too when the served /openapi.json is not the repository's file, and when a status the
document lists for an operation was never answered (the unit test OpenApiTest in
src/api/app/openapi_test.cpp checks that every route of the app is an operation of the document).

Needs python3-jsonschema (scripts/install-deps.sh); without it the test is skipped (exit 77).

Usage: openapi_test.py --cdrd BUILD/cdrd --source REPO [-v]
"""
import argparse
import base64
import copy
import csv
import http.client
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

SKIP = 77
try:
    from jsonschema import Draft202012Validator
except ImportError:
    print("SKIP: python3-jsonschema is not installed (scripts/install-deps.sh installs it)")
    sys.exit(SKIP)

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
HUGE = 40_000_000  # a Content-Length over every route's limit (uploads: 32 MiB by default)


# ---- the document --------------------------------------------------------------------------

def resolve(node, root, seen=()):
    """node with every {"$ref": "#/..."} replaced by what it names (siblings kept beside it
    under allOf, as 2020-12 reads them)."""
    if isinstance(node, list):
        return [resolve(n, root, seen) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = node["$ref"]
        if not target.startswith("#/") or target in seen:
            raise SystemExit(f"cannot resolve $ref {target}")
        value = root
        for part in target[2:].split("/"):
            value = value[part]
        resolved = resolve(value, root, seen + (target,))
        rest = {k: resolve(v, root, seen) for k, v in node.items() if k != "$ref"}
        return dict(resolved) if not rest else {"allOf": [resolved], **rest}
    return {k: resolve(v, root, seen) for k, v in node.items()}


class Document:
    def __init__(self, text):
        self.raw = json.loads(text)
        self.doc = resolve(copy.deepcopy(self.raw), self.raw)
        self.templates = []  # (template, segments, path item)
        for template, item in self.doc["paths"].items():
            self.templates.append((template, split(template), item))
        self.validators = {}
        if self.raw.get("openapi") != "3.1.0":
            raise SystemExit(f"openapi: 3.1.0 expected, got {self.raw.get('openapi')!r}")
        # Every schema of the components is a valid JSON Schema 2020-12, used or not.
        for name, schema in self.doc["components"]["schemas"].items():
            Draft202012Validator.check_schema(schema)
        self.problems = structure_problems(self.doc)
        self.covered = set()  # (METHOD, template, status)

    def documented(self):
        out = set()
        for template, _, item in self.templates:
            for method in METHODS:
                for status in item.get(method, {}).get("responses", {}):
                    out.add((method.upper(), template, status))
        return out

    def path_item(self, path):
        """(template, item) of the path: the matching template with most literal segments."""
        segments = split(path)
        best = None
        for template, tsegs, item in self.templates:
            if len(tsegs) != len(segments):
                continue
            literal = 0
            for t, s in zip(tsegs, segments):
                if t.startswith("{") and t.endswith("}"):
                    continue
                if t != s:
                    break
                literal += 1
            else:
                if best is None or literal > best[0]:
                    best = (literal, template, item)
        return (best[1], best[2]) if best else (None, None)

    def validator(self, key, schema):
        if key not in self.validators:
            Draft202012Validator.check_schema(schema)
            self.validators[key] = Draft202012Validator(schema)
        return self.validators[key]


def structure_problems(doc):
    """What an OpenAPI 3.1 reader would refuse or misread, checked here since Debian has no
    OpenAPI validator: unique operationIds, every path parameter declared (and none left
    over), a description for every response, security schemes that exist."""
    problems, ids = [], set()
    schemes = set(doc["components"].get("securitySchemes", {}))
    for template, item in doc["paths"].items():
        in_path = set(re.findall(r"\{([^}]+)\}", template))
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            where = f"{method.upper()} {template}"
            if op.get("operationId") in ids or not op.get("operationId"):
                problems.append(f"{where}: operationId missing or not unique")
            ids.add(op.get("operationId"))
            declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
            if declared != in_path:
                problems.append(f"{where}: path parameters {sorted(declared)}, the path has "
                                f"{sorted(in_path)}")
            for p in op.get("parameters", []):
                if p.get("in") == "path" and not p.get("required"):
                    problems.append(f"{where}: path parameter {p['name']} must be required")
            for status, r in op["responses"].items():
                if not r.get("description"):
                    problems.append(f"{where} {status}: no description")
            for requirement in op.get("security", []):
                for name in requirement:
                    if name not in schemes:
                        problems.append(f"{where}: no security scheme {name!r}")
    return problems


def split(path):
    return [s for s in path.split("/") if s]


# ---- the servers ---------------------------------------------------------------------------

class Server:
    """`cdrd demo`, then `cdrd serve` on a free port over its data directory."""

    def __init__(self, cdrd, name, serve_args, operator_key=True):
        self.dir = tempfile.mkdtemp(prefix=f"cdrd-openapi-{name}-")
        self.var = os.path.join(self.dir, "var")
        demo = subprocess.run([cdrd, "--data-dir", self.var, "demo"], capture_output=True,
                              text=True, timeout=120)
        if demo.returncode != 0:
            raise SystemExit("cdrd demo failed: " + demo.stdout + demo.stderr)
        self.env = dict(line.rstrip("\n").split("=", 1)
                        for line in open(os.path.join(self.var, "demo.env")) if "=" in line)
        port_file = os.path.join(self.dir, "port")
        args = [cdrd, "--data-dir", self.var, "serve", "--port", "0", "--port-file", port_file,
                "--no-access-log"] + serve_args
        if operator_key:
            args += ["--operator-key-file", os.path.join(self.var, "operator.key")]
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.time() + 30
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit("cdrd serve did not start: " + self.tail())
            time.sleep(0.05)
        self.port = int(open(port_file).read().strip())

    def tail(self):
        self.log.flush()
        return open(os.path.join(self.dir, "server.log")).read()[-3000:]

    def request(self, method, target, headers=None, body=None, content_length=None):
        """(status, {lower-case name: [values]}, body bytes). content_length sends that
        Content-Length and no body (the server answers 413 before reading one)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            data = body.encode() if isinstance(body, str) else body
            if content_length is not None:
                conn.putheader("Content-Length", str(content_length))
                data = None
            elif data is not None or method in ("POST", "PUT"):
                conn.putheader("Content-Length", str(len(data or b"")))
            conn.endheaders()
            if data:
                conn.send(data)
            r = conn.getresponse()
            got = {}
            for k, v in r.getheaders():
                got.setdefault(k.lower(), []).append(v)
            return r.status, got, r.read()
        finally:
            conn.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- checking one answer -------------------------------------------------------------------

class Checker:
    def __init__(self, document, verbose):
        self.document = document
        self.verbose = verbose
        self.failures = []
        self.answers = 0

    def fail(self, where, what):
        self.failures.append(f"{where}: {what}")

    def call(self, server, method, target, status, headers=None, body=None,
             content_length=None):
        """Sends the request, expects `status`, checks the answer against the document.
        Returns the parsed JSON body (or the raw text) for the test to go on with."""
        got, rheaders, rbody = server.request(method, target, headers, body, content_length)
        self.answers += 1
        path = urllib.parse.urlsplit(target).path
        where = f"{method} {urllib.parse.unquote(target)[:140]} -> {got}"
        if self.verbose:
            print(where, flush=True)
        if got != status:
            self.fail(where, f"expected {status}: {rbody[:300]!r}")
        template, item = self.document.path_item(path)
        if item is None:
            self.fail(where, "no path of the document matches")
            return None
        if got == 405 and method.lower() not in item:
            operations = [(m.upper(), item[m]) for m in METHODS if m in item]
        elif method.lower() in item:
            operations = [(method, item[method.lower()])]
        else:
            self.fail(where, f"the document has no {method} on {template}")
            return None
        parsed = None
        for op_method, operation in operations:
            response = operation["responses"].get(str(got))
            if response is None:
                self.fail(where, f"status {got} is not documented for {op_method} {template}: "
                                 f"{rbody[:200]!r}")
                continue
            self.document.covered.add((op_method, template, str(got)))
            parsed = self.check_response(where, op_method, template, got, response, rheaders,
                                         rbody, method == "HEAD")
            if 200 <= got < 300 and op_method == method:
                self.check_request(where, operation, target, headers or {}, body)
        return parsed

    def check_response(self, where, method, template, status, response, headers, body,
                       head=False):
        """head: the answer to a HEAD, whose Content-Type and headers are checked (http.client
        reads no body after a HEAD)."""
        for name, h in response.get("headers", {}).items():
            if h.get("required") and name.lower() not in headers:
                self.fail(where, f"header {name} is missing")
        content = response.get("content")
        ctype = headers.get("content-type", [""])[0]
        media = ctype.split(";")[0].strip().lower()
        if not content:
            if body:
                self.fail(where, f"a body where the document shows none: {body[:200]!r}")
            return None
        if media not in content:
            self.fail(where, f"Content-Type {ctype!r}, the document has {sorted(content)}")
            return None
        if head:
            return None
        schema = content[media].get("schema")
        if media == "application/json":
            try:
                value = json.loads(body)
            except ValueError as e:
                self.fail(where, f"not JSON ({e}): {body[:200]!r}")
                return None
        else:
            value = body.decode("utf-8", "replace")
        if schema is not None:
            v = self.document.validator((method, template, status, media), schema)
            errors = sorted(v.iter_errors(value), key=lambda e: list(e.absolute_path))
            for e in errors[:5]:
                at = "/".join(str(p) for p in e.absolute_path) or "(body)"
                self.fail(where, f"schema: at {at}: {e.message[:300]}")
        line_schema = content[media].get("x-line-schema")
        if line_schema is not None:
            return self.check_lines(where, (method, template, status, media, "line"),
                                    line_schema, media, value)
        return value

    def check_lines(self, where, key, schema, media, text):
        """A streamed export: each NDJSON line, or each CSV row read back into an object by
        the line schema's member types (an empty cell of an optional member is left out), is
        validated against the line schema; the CSV header must be its members in order.
        Returns the objects."""
        v = self.document.validator(key, schema)
        fields = list(schema["properties"])
        rows = []
        if media == "text/csv":
            table = list(csv.reader(io.StringIO(text, newline="")))
            if not table or table[0] != fields:
                self.fail(where, f"CSV header {table[:1]!r}, the document's fields are {fields}")
                return []
            for n, cells in enumerate(table[1:], 2):
                if len(cells) != len(fields):
                    self.fail(where, f"CSV row {n}: {len(cells)} cells, {len(fields)} fields")
                    continue
                rows.append({f: cell_value(c, schema["properties"][f])
                             for f, c in zip(fields, cells)
                             if c or f in schema.get("required", [])})
        else:
            for n, line in enumerate(text.split("\n")[:-1], 1):
                try:
                    rows.append(json.loads(line))
                except ValueError as e:
                    self.fail(where, f"line {n} is not JSON ({e}): {line[:200]!r}")
            if text and not text.endswith("\n"):
                self.fail(where, f"the last line is not ended: {text[-200:]!r}")
        bad = 0
        for n, row in enumerate(rows, 1):
            for e in v.iter_errors(row):
                bad += 1
                if bad <= 5:
                    at = "/".join(str(p) for p in e.absolute_path) or "(line)"
                    self.fail(where, f"line schema: call {n}: at {at}: {e.message[:300]}")
        return rows

    def check_request(self, where, operation, target, headers, body):
        """A request the server accepted must be one the document allows: its credentials of
        a scheme the operation's security names, each query parameter documented, its value
        valid for its schema, the body valid for the request body's schema."""
        sent = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        kind = sent.split(" ", 1)[0].lower() if sent else None
        kinds = set() if operation.get("security") else {None}  # [] or none: open
        for requirement in operation.get("security", []):
            if not requirement:
                kinds.add(None)
            for name in requirement:
                scheme = self.document.doc["components"]["securitySchemes"][name]
                kinds.add(scheme.get("scheme", "bearer").lower())
        if kind not in kinds:
            self.fail(where, f"accepted {kind or 'no'} credentials, the operation's security "
                             f"is {operation.get('security')}")
        params = {p["name"]: p for p in operation.get("parameters", []) if p.get("in") == "query"}
        values = {}
        for name, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query,
                                                  keep_blank_values=True):
            values.setdefault(name, []).append(value)
        for name, given in values.items():
            if name not in params:
                self.fail(where, f"query parameter {name!r} is not documented")
                continue
            schema = params[name]["schema"]
            value = [typed(v, schema.get("items", {})) for v in given] \
                if schema.get("type") == "array" else typed(given[-1], schema)
            for e in Draft202012Validator(schema).iter_errors(value):
                self.fail(where, f"query parameter {name}: {e.message[:200]}")
        data = body.encode() if isinstance(body, str) else (body or b"")
        request_body = operation.get("requestBody")
        if request_body is None:
            if data:
                self.fail(where, "a request body where the document takes none")
            return
        ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        media = ctype.split(";")[0].strip().lower()
        if media not in request_body["content"]:
            self.fail(where, f"request Content-Type {ctype!r}, the document takes "
                             f"{sorted(request_body['content'])}")
            return
        schema = request_body["content"][media].get("schema", {})
        text = data.decode("utf-8", "replace")
        if schema.get("type") == "string":
            value = text
        elif media == "application/x-www-form-urlencoded":
            value = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
        else:
            value = json.loads(text)
        for e in Draft202012Validator(schema).iter_errors(value):
            self.fail(where, f"request body: {e.message[:200]}")


def cell_value(cell, schema):
    """A CSV cell as the member's type reads it: integers and booleans are bare in CSV."""
    if schema.get("type") == "integer" and re.fullmatch(r"-?[0-9]+", cell):
        return int(cell)
    if schema.get("type") == "boolean" and cell in ("true", "false"):
        return cell == "true"
    return cell


def typed(text, schema):
    """A query value as its schema's type reads it: an integer schema takes digits."""
    if schema.get("type") == "integer" and re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    return text


# ---- the requests --------------------------------------------------------------------------

def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def q(**params):
    return "?" + urllib.parse.urlencode(params)


def freeswitch_cdr(source, name, auth_id):
    """A fixture CDR of tests/fixtures/freeswitch, for `auth_id`, moved to an hour ago."""
    text = open(os.path.join(source, "tests", "fixtures", "freeswitch", name)).read()
    text = text.replace("ACCOUNT", auth_id)
    shift = int(time.time()) - 3600 - 1796027400  # the fixtures' calls start at 1796027400
    text = re.sub(r'"(179\d{7})"', lambda m: f'"{int(m.group(1)) + shift}"', text)
    return re.sub(r'"(179\d{13})"', lambda m: f'"{int(m.group(1)) + shift * 1_000_000}"', text)


def kamailio_cdr(call_id, extra=""):
    end = int(time.time()) - 600
    return json.dumps({"start_time": f"{end - 31}.750", "end_time": f"{end}.250",
                       "duration": "30.500", "call_direction": "outbound", "call_id": call_id,
                       "invite_time": f"{end - 36}.100000", "caller": "442071838750",
                       "callee": "14155550123", "caller_tag": "a1", "method": "BYE",
                       "from_tag": "b2", "sip_code": "", "cdr_time": f"{end}.250",
                       "transport": "udp", **({"extra": extra} if extra else {})})


def record(auth_id, call_uuid, **fields):
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
    r = {"account": auth_id, "call_uuid": call_uuid, "call_direction": "outbound",
         "from_number": "+14155550100", "to_number": "+442071234567",
         "initiation_time": f"{day} 09:00:00", "answer_time": f"{day} 09:00:07",
         "end_time": f"{day} 09:02:07", "hangup_cause_code": 4000, "hangup_source": "customer"}
    r.update(fields)
    return json.dumps(r) + "\n"


def sample_path(template, values):
    return "/".join(values.get(s[1:-1], s) if s.startswith("{") else s
                    for s in template.split("/"))


def run(args):
    source_doc = open(os.path.join(args.source, "openapi", "cdrd.openapi.json"), "rb").read()
    document = Document(source_doc)
    c = Checker(document, args.verbose)
    for problem in document.problems:
        c.fail("openapi/cdrd.openapi.json", problem)
    s1 = Server(args.cdrd, "s1", ["--auth-failure-burst", "0"])
    s2 = None
    try:
        s2 = Server(args.cdrd, "s2", ["--query-budget-ms", "1", "--auth-failure-burst", "1",
                                      "--auth-failure-refill-seconds", "86400"],
                    operator_key=False)
        exercise(c, document, s1, s2, args.source, source_doc)
    finally:
        s1.stop()
        if s2:
            s2.stop()
    missing = sorted(document.documented() - document.covered)
    for method, template, status in missing:
        c.fail(f"{method} {template}", f"status {status} is documented but never answered")
    for f in c.failures:
        print("FAILED  " + f)
    print(f"openapi: {c.answers} answers checked against {len(document.documented())} "
          f"documented (operation, status) pairs, {len(c.failures)} failures")
    return 1 if c.failures else 0


def exercise(c, document, s1, s2, source, source_doc):
    env = s1.env
    auth_id, call = env["CDRD_AUTH_ID"], env["CDRD_DEMO_CALL"]
    acct = {"Authorization": basic(auth_id, env["CDRD_AUTH_TOKEN"])}
    op = {"Authorization": "Bearer " + env["CDRD_OPERATOR_KEY"]}
    jtype = {"Content-Type": "application/json"}
    zt = f"/v1/Account/{auth_id}/Zentrunk"

    # The document served is the repository's, with its ETag.
    status, headers, body = s1.request("GET", "/openapi.json")
    if body != source_doc:
        c.fail("GET /openapi.json", "the served document is not openapi/cdrd.openapi.json")
    c.call(s1, "GET", "/openapi.json", 200)
    etag = headers.get("etag", [""])[0]
    c.call(s1, "GET", "/openapi.json", 304, {"If-None-Match": etag})
    c.call(s1, "GET", "/healthz", 200)
    c.call(s1, "GET", "/readyz", 200)
    c.call(s1, "GET", "/metrics", 200, op)
    c.call(s1, "GET", "/metrics", 200, {"Authorization": basic("operator", env["CDRD_OPERATOR_KEY"])})

    # Ingest.
    nd = {**op, "Content-Type": "application/x-ndjson"}
    c.call(s1, "POST", "/v1/ingest/calls", 200, nd,
           record(auth_id, "0a6e1c52-8d1f-4c39-b1b8-6e0f2d9a7c01"))
    c.call(s1, "POST", "/v1/ingest/calls", 200, nd,
           record(auth_id, "0a6e1c52-8d1f-4c39-b1b8-6e0f2d9a7c01"))  # a duplicate
    c.call(s1, "POST", "/v1/ingest/calls", 400, nd,
           record(auth_id, "0a6e1c52-8d1f-4c39-b1b8-6e0f2d9a7c02", call_direction="sideways"))
    c.call(s1, "POST", "/v1/ingest/calls", 400, nd, "")
    c.call(s1, "POST", "/v1/ingest/calls", 415, {**op, "Content-Type": "text/xml"}, "<cdr/>")
    fs = {**op, "Content-Type": "application/json"}
    c.call(s1, "POST", "/v1/ingest/freeswitch", 200, fs,
           freeswitch_cdr(source, "answered.json", auth_id))
    c.call(s1, "POST", "/v1/ingest/freeswitch", 200, fs,
           freeswitch_cdr(source, "b_leg.json", auth_id))
    c.call(s1, "POST", "/v1/ingest/freeswitch", 400, fs, "{}")
    kam = f"/v1/ingest/kamailio?account={auth_id}"
    c.call(s1, "POST", kam, 200, fs, kamailio_cdr("1-openapi@127.0.0.1"))
    c.call(s1, "POST", kam, 400, fs, kamailio_cdr("2-openapi@127.0.0.1", extra="x"))
    c.call(s1, "POST", kam, 415, {**op, "Content-Type": "text/csv"}, "a,b\n")

    # The cloud-PBX API.
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    token = c.call(s1, "POST", "/oauth/token", 200, form, urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": env["CDRD_CLIENT_ID"],
         "client_secret": env["CDRD_CLIENT_SECRET"]}))
    bearer = {"Authorization": "Bearer " + (token or {}).get("access_token", "none")}
    c.call(s1, "POST", "/oauth/token", 400, form, "client_id=x")
    c.call(s1, "POST", "/oauth/token", 401,
           {**form, "Authorization": basic(env["CDRD_CLIENT_ID"], "wrong")},
           "grant_type=client_credentials")
    who = c.call(s1, "GET", "/api/ver1.0/user", 200, bearer)
    client = str((who or {}).get("client_id", 1))
    c.call(s1, "GET", "/api/ver1.0/user?x=1", 400, bearer)
    for kind in ("calls", "call_history"):
        base = f"/api/ver1.0/client/{client}/{kind}"
        c.call(s1, "GET", base + q(per_page=2, order="asc", flow="out"), 200, bearer)
        c.call(s1, "GET", base + q(per_page=1, page=2, start_duration=1, end_duration=3600,
                                   start_datetime="2020-01-01 00:00:00"), 200, bearer)
        c.call(s1, "GET", base + q(per_page=501), 400, bearer)
        c.call(s1, "GET", f"/api/ver1.0/client/abc/{kind}", 404, bearer)
        c.call(s1, "GET", f"/api/ver1.0/client/999999/{kind}", 403, bearer)
    one = f"/api/ver1.0/client/{client}/call_history/"
    c.call(s1, "GET", one + call, 200, bearer)
    c.call(s1, "GET", one + call + "?x=1", 400, bearer)
    c.call(s1, "GET", one + "no-such-call", 404, bearer)
    c.call(s1, "GET", f"/api/ver1.0/client/abc/call_history/{call}", 404, bearer)
    c.call(s1, "GET", f"/api/ver1.0/client/999999/call_history/{call}", 403, bearer)

    # Rate decks.
    csv = {**op, "Content-Type": "text/csv"}
    deck = "prefix,rate,initial_increment,subsequent_increment\n1,0.00300,60,60\n44,0.00400,60,60\n"
    nobody = "MA" + "0" * 18
    for path in (f"/v1/ratedecks/{auth_id}/inbound", f"/v1/ratedecks/{auth_id}"):
        c.call(s1, "PUT", path, 200, csv, deck if "inbound" in path else
               deck.replace("increment\n", "increment,effective_from,direction\n")
                   .replace("60\n", "60,,outbound\n"))
        c.call(s1, "GET", path, 200, op)
        c.call(s1, "PUT", path, 400, csv, "prefix,rate\nabc,1\n")
        c.call(s1, "PUT", path, 415, {**op, "Content-Type": "application/json"}, "{}")
        c.call(s1, "PUT", path.replace(auth_id, nobody), 404, csv, deck)
        c.call(s1, "GET", path.replace(auth_id, nobody), 404, op)
    c.call(s1, "GET", f"/v1/ratedecks/{auth_id}/sideways", 400, op)

    # The SIP-trunk Call API, current and legacy.
    for base in (f"{zt}/Call", f"/v1/Account/{auth_id}/Call"):
        listed = c.call(s1, "GET", base + "/" + q(limit=2, call_direction="outbound"), 200, acct)
        c.call(s1, "GET", base + q(limit=1, from_number="+44", end_time__gte="2020-01-01 00:00"),
               200, acct)
        c.call(s1, "GET", base + q(hangup_source="Carrier", stir_verification="not_applicable",
                                   bill_duration__gte=0, to_number="91", offset=3,
                                   initiation_time__lt="2099-01-01 00:00:00"), 200, acct)
        c.call(s1, "GET", base + q(limit=21), 400, acct)
        c.call(s1, "GET", f"{base}/{call}/", 200, acct)
        c.call(s1, "GET", f"{base}/no-such-call", 404, acct)
        if not (listed or {}).get("objects"):
            c.fail(base, "the demo account lists no calls")
    c.call(s1, "GET", f"{zt}/Call/{call}/Insights/", 200, acct)
    c.call(s1, "GET", f"{zt}/Call/no-such-call/Insights", 404, acct)
    c.call(s1, "GET", f"{zt}/CallFeed/" + q(limit=2), 200, acct)
    c.call(s1, "GET", f"{zt}/CallFeed" + q(after=2, limit=1), 200, acct)
    c.call(s1, "GET", f"{zt}/CallFeed" + q(after="abc"), 400, acct)
    c.call(s1, "GET", f"{zt}/Usage/" + q(period="day", group_by="direction"), 200, acct)
    c.call(s1, "GET", f"{zt}/Usage" + q(period="month", call_direction="inbound"), 200, acct)
    c.call(s1, "GET", f"{zt}/Usage" + q(group_by="to_country", hangup_source="carrier",
                                        end_time__gte="2020-01-01 00:00"), 200, acct)
    c.call(s1, "GET", f"{zt}/Usage" + q(period="week"), 400, acct)

    # The streamed export: the account's calls (as many as the list counts for the same
    # filters, in both formats), every account's and one account's to the operator key.
    long_in = dict(call_direction="inbound", bill_duration__gte=600)
    listed = c.call(s1, "GET", f"{zt}/Call" + q(limit=1, **long_in), 200, acct) or {}
    total = listed.get("meta", {}).get("total_count")
    for fmt in ("ndjson", "csv"):
        rows = c.call(s1, "GET", f"{zt}/Export/" + q(format=fmt, **long_in), 200, acct) or []
        if len(rows) != total or not rows or {r.get("account") for r in rows} != {auth_id}:
            c.fail(f"GET {zt}/Export?format={fmt}", f"{len(rows)} calls of "
                   f"{sorted({r.get('account') for r in rows})}, the list counts {total}")
    c.call(s1, "GET", f"{zt}/Export" + q(hangup_source="carrier", stir_verification="verified",
                                         end_time__gte="2020-01-01 00:00", from_number="+44",
                                         initiation_time__lt="2099-01-01 00:00:00"), 200, acct)
    c.call(s1, "GET", f"{zt}/Export" + q(limit=5), 400, acct)
    c.call(s1, "GET", f"{zt}/Export" + q(format="xml"), 400, acct)
    c.call(s1, "GET", f"{zt}/Export?format=csv&format=ndjson", 400, acct)
    c.call(s1, "GET", f"{zt}/Export" + q(account=auth_id), 400, acct)
    operator_basic = {"Authorization": basic("operator", env["CDRD_OPERATOR_KEY"])}
    every = c.call(s1, "GET", "/v1/export/calls/" + q(format="csv", to_number="+49"), 200, op)
    if not every:
        c.fail("GET /v1/export/calls?to_number=+49", "no call exported")
    one = c.call(s1, "GET", "/v1/export/calls" + q(account=auth_id, call_direction="outbound",
                                                  end_time__gte="2020-01-01 00:00"),
                 200, operator_basic) or []
    if not one or {r.get("account") for r in one} != {auth_id}:
        c.fail(f"GET /v1/export/calls?account={auth_id}", f"{len(one)} calls of "
               f"{sorted({r.get('account') for r in one})}")
    c.call(s1, "GET", "/v1/export/calls" + q(account=nobody), 404, op)
    c.call(s1, "GET", "/v1/export/calls" + q(offset=1), 400, op)
    c.call(s1, "GET", "/v1/export/calls" + q(bill_duration__gte="ten"), 400, operator_basic)
    c.call(s1, "GET", "/v1/export/calls", 401, {"Authorization": basic("operator", "wrong")})

    # A call's cloud-PBX legs.
    legs = c.call(s1, "GET", f"{zt}/Call/{call}/Legs/", 200, acct)
    if not (legs or {}).get("objects"):
        c.fail(f"{zt}/Call/{call}/Legs", "the demo's newest call has no legs")
    c.call(s1, "GET", f"{zt}/Call/no-such-call/Legs", 404, acct)

    # The trunk control plane.
    ids = control_plane(c, s1, zt, acct, jtype)

    # The web console's files, and the operator's list of accounts.
    console(c, s1, source)
    listed = c.call(s1, "GET", "/v1/Account/", 200, op)
    if auth_id not in [a.get("auth_id") for a in (listed or {}).get("objects", [])]:
        c.fail("GET /v1/Account/", "the demo account is not listed")
    c.call(s1, "GET", "/v1/Account", 200, {"Authorization": basic("operator", env["CDRD_OPERATOR_KEY"])})
    c.call(s1, "GET", "/v1/Account", 401, {"Authorization": "Bearer wrong-key-0123456789"})

    # What every operation answers alike: 405 on each path, 401 without credentials, 403 for
    # another account's path, 413 for a body over the limit.
    values = {"auth_id": auth_id, "call_uuid": call, "client_id": client, "direction": "outbound",
              "name": "app.js"}
    for template, _, item in document.templates:
        v = dict(values)
        for seg, rid in ids.items():
            if f"/Zentrunk/{seg}/" in template:
                v["id"] = rid
        path = sample_path(template, v)
        if template.startswith("/v1/Account/{auth_id}/"):
            operator_reads(c, s1, template, item, path, sample_path(template, {**v, "auth_id": nobody}),
                           op, jtype)
        c.call(s1, "PATCH", path, 405, acct)
        for method in METHODS:
            if method not in item:
                continue
            m, responses = method.upper(), item[method]["responses"]
            creds = credentials_for(item[method], acct, op, bearer)
            if "401" in responses and template != "/oauth/token":
                c.call(s1, m, path, 401)
            if "403" in responses and "{auth_id}" in template and "ratedecks" not in template:
                c.call(s1, m, sample_path(template, {**v, "auth_id": nobody}), 403, acct)
            if "413" in responses:
                c.call(s1, m, path, 413, creds, content_length=HUGE)

    # S2: no operator key (403), a query budget of 1 ms (503), a schema that is not this
    # build's (/readyz 503), then an address that failed once (429 on everything credentialed).
    env2 = s2.env
    acct2 = {"Authorization": basic(env2["CDRD_AUTH_ID"], env2["CDRD_AUTH_TOKEN"])}
    zt2 = f"/v1/Account/{env2['CDRD_AUTH_ID']}/Zentrunk"
    for template, _, item in document.templates:
        for method in METHODS:
            schemes = schemes_of(item.get(method, {}))
            if method in item and "403" in item[method]["responses"] and "operatorBearer" in schemes:
                # An operator route, or an account's GET read with the operator key.
                c.call(s2, method.upper(), sample_path(template, {**values, "auth_id": env2["CDRD_AUTH_ID"], "id": "1"}),
                       403, {"Authorization": "Bearer any-key-at-all-0123456789"}, "")
    over_budget(c, s2, f"{zt2}/Usage" + q(period="hour", group_by="trunk_id"), acct2)
    over_budget(c, s2, f"{zt2}/CallFeed" + q(limit=1000), acct2)
    db = sqlite3.connect(os.path.join(s2.var, "cdrd.db"))
    db.execute("PRAGMA user_version = 999")
    db.close()
    c.call(s2, "GET", "/readyz", 503)
    c.call(s2, "GET", f"{zt2}/Call", 401, {"Authorization": basic(env2["CDRD_AUTH_ID"], "wrong")})
    values2 = {**values, "auth_id": env2["CDRD_AUTH_ID"], "id": "1"}
    for template, _, item in document.templates:
        for method in METHODS:
            if method in item and "429" in item[method]["responses"]:
                c.call(s2, method.upper(), sample_path(template, values2), 429,
                       {"Authorization": "Bearer throttled-0123456789abcdef"}, "")


def schemes_of(operation):
    return {k for s in operation.get("security", []) for k in s}


def credentials_for(operation, acct, op, bearer):
    schemes = schemes_of(operation)
    if "accountBasic" in schemes:
        return acct
    if "operatorBearer" in schemes:
        return op
    if "pbxOAuth" in schemes:
        return bearer
    return {}


def operator_reads(c, s, template, item, path, nobody_path, op, jtype):
    """An account's route with the operator key: each GET reads the path's account (404 for
    an auth_id no account has, 401 for a wrong key); a POST or DELETE with it is a 401."""
    for method in METHODS:
        if method not in item:
            continue
        m = method.upper()
        if m == "GET":
            c.call(s, m, path, 200, op)
            c.call(s, m, nobody_path, 404, op)
            c.call(s, m, path, 401, {"Authorization": "Bearer wrong-key-0123456789"})
        else:
            c.call(s, m, path, 401, {**op, **jtype}, json.dumps({"name": "x"}) if m == "POST" else None)


def console(c, s, source):
    """The console's files (GET and HEAD): each as in console/, its 304, the redirect, a 404."""
    for method in ("GET", "HEAD"):
        c.call(s, method, "/console", 301)
        c.call(s, method, "/console/missing.js", 404)
    for name in ("", "index.html", "app.js", "app.css", "icon.svg"):
        target = "/console/" + name
        status, headers, body = s.request("GET", target)
        if body != open(os.path.join(source, "console", name or "index.html"), "rb").read():
            c.fail(f"GET {target}", f"{status}: not the file console/{name or 'index.html'}")
        etag = headers.get("etag", [""])[0]
        for method in ("GET", "HEAD"):
            c.call(s, method, target, 200)
            c.call(s, method, target, 304, {"If-None-Match": etag})


def over_budget(c, server, target, headers):
    """A read over S2's 1 ms budget: retried a few times, since a fast machine may answer one
    in time."""
    for _ in range(5):
        status, _, _ = server.request("GET", target, headers)
        if status == 503:
            c.call(server, "GET", target, 503, headers)
            return
    c.fail(f"GET {target}", f"never over the 1 ms query budget (last status {status})")


def control_plane(c, s, zt, acct, jtype):
    """Every answer of the four resources; returns an id of each, still there."""
    h = {**acct, **jtype}

    def created(seg, body, key):
        r = c.call(s, "POST", f"{zt}/{seg}/", 201, h, json.dumps(body))
        return (r or {}).get(key, "missing")

    demo_acl = (c.call(s, "GET", f"{zt}/IPAccessControlList/", 200, acct) or {}).get("objects", [{}])
    demo_uri = (c.call(s, "GET", f"{zt}/URI" + q(limit=1, offset=0), 200, acct) or {}).get("objects", [{}])
    c.call(s, "GET", f"{zt}/Credential/", 200, acct)
    c.call(s, "GET", f"{zt}/Trunk/" + q(trunk_direction="outbound", secure="true"), 200, acct)
    for seg in ("IPAccessControlList", "Credential", "URI", "Trunk"):
        c.call(s, "GET", f"{zt}/{seg}/" + q(limit=21), 400, acct)
        c.call(s, "GET", f"{zt}/{seg}/no-such-id/", 404, acct)
        c.call(s, "POST", f"{zt}/{seg}/no-such-id/", 404, h, json.dumps({"name": "x"}))
        c.call(s, "DELETE", f"{zt}/{seg}/no-such-id/", 404, acct)
        c.call(s, "POST", f"{zt}/{seg}/", 400, h, json.dumps({"no_such_field": 1}))

    acl = created("IPAccessControlList", {"name": "office", "ip_addresses": ["203.0.113.0/24", "2001:DB8:10::/48"]}, "ipacl_uuid")
    c.call(s, "GET", f"{zt}/IPAccessControlList/{acl}/", 200, acct)
    c.call(s, "POST", f"{zt}/IPAccessControlList/", 422, h, json.dumps({"name": "none"}))
    c.call(s, "POST", f"{zt}/IPAccessControlList/{acl}/", 202, h, json.dumps({"ip_addresses": ["198.51.100.7"]}))
    c.call(s, "POST", f"{zt}/IPAccessControlList/{acl}/", 400, h, json.dumps({"ip_addresses": ["10.0.0.0/33"]}))
    c.call(s, "DELETE", f"{zt}/IPAccessControlList/{demo_acl[0].get('ipacl_uuid')}/", 409, acct)

    cred = created("Credential", {"name": "pbx", "username": "pbx.openapi", "password": "Sup3rSecretPass"}, "credential_uuid")
    c.call(s, "GET", f"{zt}/Credential/{cred}", 200, acct)
    c.call(s, "POST", f"{zt}/Credential/", 409, h, json.dumps({"username": "pbx.openapi", "password": "Sup3rSecretPass"}))
    c.call(s, "POST", f"{zt}/Credential/", 422, h, json.dumps({"username": "pbx.other"}))
    c.call(s, "POST", f"{zt}/Credential/{cred}/", 202, h, json.dumps({"password": "An0therSecretPass"}))
    c.call(s, "POST", f"{zt}/Credential/{cred}/", 400, h, json.dumps({"name": "renamed", "password": "An0therSecretPass"}))
    c.call(s, "POST", f"{zt}/Credential/{cred}/", 422, h, json.dumps({"password": None}))

    uri = created("URI", {"name": "pbx", "uri": "pbx.example.com:5060;transport=tcp"}, "uri_uuid")
    c.call(s, "GET", f"{zt}/URI/{uri}/", 200, acct)
    c.call(s, "POST", f"{zt}/URI/", 422, h, json.dumps({"name": "no uri"}))
    c.call(s, "POST", f"{zt}/URI/{uri}/", 202, h, json.dumps({"name": "office pbx"}))
    c.call(s, "POST", f"{zt}/URI/{uri}/", 400, h, json.dumps({"uri": "sip:pbx.example.com"}))
    c.call(s, "POST", f"{zt}/URI/{uri}/", 422, h, json.dumps({"authentication_needed": True}))
    c.call(s, "DELETE", f"{zt}/URI/{demo_uri[0].get('uri_uuid')}/", 409, acct)

    trunk = created("Trunk", {"name": "out", "trunk_direction": "outbound", "ipacl_uuid": acl, "credential_uuid": cred}, "trunk_id")
    c.call(s, "GET", f"{zt}/Trunk/{trunk}/", 200, acct)
    c.call(s, "POST", f"{zt}/Trunk/", 422, h, json.dumps({"name": "no direction"}))
    c.call(s, "POST", f"{zt}/Trunk/{trunk}/", 202, h, json.dumps({"trunk_status": "disabled", "default_country": "DE"}))
    c.call(s, "POST", f"{zt}/Trunk/{trunk}/", 400, h, json.dumps({"trunk_status": "paused"}))
    c.call(s, "POST", f"{zt}/Trunk/{trunk}/", 422, h, json.dumps({"ipacl_uuid": None, "credential_uuid": None}))
    c.call(s, "DELETE", f"{zt}/Credential/{cred}/", 409, acct)
    ids = {"IPAccessControlList": acl, "Credential": cred, "URI": uri, "Trunk": trunk}

    # Deletes, of resources made for them.
    spare_trunk = created("Trunk", {"trunk_direction": "inbound", "primary_uri_uuid": uri}, "trunk_id")
    c.call(s, "DELETE", f"{zt}/Trunk/{spare_trunk}/", 204, acct)
    for seg, body, key in (("IPAccessControlList", {"ip_addresses": ["192.0.2.1"]}, "ipacl_uuid"),
                           ("Credential", {"username": "spare.one", "password": "Sp4reSecretPass"}, "credential_uuid"),
                           ("URI", {"uri": "192.0.2.10"}, "uri_uuid")):
        spare = created(seg, body, key)
        c.call(s, "DELETE", f"{zt}/{seg}/{spare}", 204, acct)
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cdrd", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    args.cdrd = os.path.abspath(args.cdrd)
    args.source = os.path.abspath(args.source)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
