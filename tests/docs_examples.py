#!/usr/bin/env python3
"""Runs every example of README.md and docs/*.md against a fresh demo server and checks what
it answers against what the page shows (the `docs_examples` test; docs/testing.md, "Docs that
run", states the rules).

For each page: a temporary directory W with W/var the data directory, `cdrd demo` (what
`make run` runs first), then `cdrd serve` on a free port with the demo's operator key, as
scripts/run-demo.sh starts it. Every fenced block of the page is then, in order:

- an example block when some line starts with "$ ": each such line (with its continuation
  lines ending in a backslash, or the body of its here-document) is a command, run by bash in
  W; the lines after it, up to the next "$ " line, are its shown output;
- a setup block when every line sets a shell variable (`NAME=value`, `export ...`, `. file`):
  its lines are run, nothing is compared;
- anything else (a file's content, a configuration, a log excerpt) is not run.

A block preceded by the line `<!-- docs-test: skip: REASON -->` is not run; the reason is
required and printed.

Usage: docs_examples.py --cdrd BUILD/cdrd --source REPO [--page docs/x.md] [--list] [-v]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SKIP_RE = re.compile(r"^<!--\s*docs-test:\s*skip:\s*(.*?)\s*-->\s*$")
FENCE_RE = re.compile(r"^(\s*)```")
SETUP_LINE_RE = re.compile(
    r"^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=\S*(\s+[A-Za-z_][A-Za-z0-9_]*=\S*)*\s*(#.*)?$"
    r"|^(\.|source)\s+\S+\s*(#.*)?$")
HEREDOC_RE = re.compile(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?")
STATUS_MARK = "docs-test-status "
ELLIPSIS = "\u2026"

# Values that differ from run to run, each replaced by its name before outputs are compared.
# Where the page shows one and the server answered another of the same kind, the page's value
# is bound to the real one and replaced in every later command of the page (so an id the page
# created and then uses is the real one).
VARYING = [
    ("commit", re.compile(r"(?<=\(commit )[^,()]+(?=, \w+ build\))")),
    ("build_type", re.compile(r"(?<=, )\w+(?= build\))")),
    ("uuid", re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                        r"[0-9a-fA-F]{12}\b")),
    ("time", re.compile(r"\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?Z?")),
    ("date", re.compile(r"\b\d{4}-\d\d-\d\d\b")),
    ("auth_id", re.compile(r"\bMA[0-9A-Z]{18}\b")),
    ("trunk_id", re.compile(r"(?<![\d+])[1-9]\d{16}(?!\d)")),
    ("client_id", re.compile(r"\b[0-9a-f]{32}\b")),
    # A capital and a digit or a small letter: a random 40-letter token has no digit once in
    # about 1,100.
    ("secret", re.compile(r"\b(?=[A-Za-z0-9]*[0-9a-z])(?=[A-Za-z0-9]*[A-Z])[A-Za-z0-9]{32,64}\b")),
    ("elapsed", re.compile(r"(?<=\bin )\d+(?:\.\d+)? ?(?:ms|s)\b")),
]
# Kinds bound from page to server (a time or a duration is never a name for something).
BOUND_KINDS = {"uuid", "auth_id", "trunk_id", "client_id", "secret"}
# JSON members whose value is another on every answer, whatever it looks like.
ANY_VALUE_KEYS = {"api_id"}


def normalise(text):
    """The text with every varying value replaced by <kind>."""
    for kind, rx in VARYING:
        text = rx.sub("<" + kind + ">", text)
    return text


def tokens_of(text):
    """[(kind, value)] of the varying values in text, in order."""
    found = []
    for kind, rx in VARYING:
        for m in rx.finditer(text):
            found.append((m.start(), kind, m.group(0)))
    found.sort()
    # Drop matches inside an earlier one (a date inside a time).
    out, end = [], -1
    for start, kind, value in found:
        if start >= end:
            out.append((kind, value))
            end = start + len(value)
    return out


class Page:
    def __init__(self, path, rel):
        self.path, self.rel = path, rel
        self.blocks = []  # (line_no, kind, payload, skip_reason)
        self.indent = {}  # line_no -> the indentation of the block's fence
        self._parse()

    def _parse(self):
        lines = open(self.path, encoding="utf-8").read().split("\n")
        i, prev = 0, ""
        while i < len(lines):
            m = FENCE_RE.match(lines[i])
            if not m:
                if lines[i].strip():
                    prev = lines[i].strip()
                i += 1
                continue
            indent, start = m.group(1), i + 1
            j = start
            while j < len(lines) and not FENCE_RE.match(lines[j]):
                j += 1
            body = [l[len(indent):] if l.startswith(indent) else l for l in lines[start:j]]
            skip = SKIP_RE.match(prev)
            self.indent[start] = indent
            self._add(start, body, skip.group(1) if skip else None)
            prev, i = "", j + 1

    def _add(self, line_no, body, skip):
        if skip is not None and not skip:
            raise SystemExit(f"{self.rel}:{line_no}: a docs-test skip marker needs a reason")
        if any(l.startswith("$ ") for l in body):
            self.blocks.append((line_no, "example", split_steps(body, line_no), skip))
        elif body and all(SETUP_LINE_RE.match(l) for l in body if l.strip()):
            self.blocks.append((line_no, "setup", [l for l in body if l.strip()], skip))
        elif skip is not None:
            self.blocks.append((line_no, "other", None, skip))


def split_steps(body, first_index):
    """[(command, shown_output_lines, (first, end))] of an example block, with the 0-based
    line indices of the shown output in the page (body[0] is line `first_index`)."""
    steps, i = [], 0
    while i < len(body) and not body[i].startswith("$ "):
        i += 1
    while i < len(body):
        cmd = [body[i][2:]]
        heredoc = HEREDOC_RE.search(cmd[0])
        while cmd[-1].endswith("\\") and i + 1 < len(body):
            i += 1
            cmd.append(body[i])
        if heredoc:
            while i + 1 < len(body):
                i += 1
                cmd.append(body[i])
                if body[i].strip() == heredoc.group(1):
                    break
        i += 1
        out, out_start = [], i
        while i < len(body) and not body[i].startswith("$ "):
            out.append(body[i])
            i += 1
        while out and not out[-1].strip():
            out.pop()
        steps.append(("\n".join(cmd), out,
                      (first_index + out_start, first_index + out_start + len(out))))
    return steps


# ---- JSON comparison ---------------------------------------------------------------------------

class Obj(list):
    """A JSON object as its (key, value) pairs in order."""


def load_shown_json(text):
    """The shown text as JSON with the page's elisions made explicit: `...` for more members
    or elements, `{...}` for any object. None when it is not JSON."""
    t = text.strip()
    if not t or t[0] not in "{[":
        return None
    t = re.sub(r"\{\s*\.\.\.\s*\}", '{"%s":0}' % ELLIPSIS, t)
    t = re.sub(r",\s*\.\.\.\s*\}", ',"%s":0}' % ELLIPSIS, t)
    t = re.sub(r",\s*\.\.\.\s*\]", ',"%s"]' % ELLIPSIS, t)
    try:
        return json.loads(t, object_pairs_hook=Obj)
    except ValueError:
        return None


def load_json(text):
    try:
        return json.loads(text, object_pairs_hook=Obj)
    except ValueError:
        return None


def kind_of(v):
    if isinstance(v, Obj):
        return "object"
    return {bool: "bool", int: "number", float: "number", str: "string",
            type(None): "null", list: "array"}[type(v)]


class Checker:
    def __init__(self, bindings):
        self.bindings = bindings
        self.problems = []

    def bind_text(self, shown, actual):
        a, b = tokens_of(shown), tokens_of(actual)
        if len(a) != len(b):
            return
        for (ka, va), (kb, vb) in zip(a, b):
            if ka == kb and ka in BOUND_KINDS and va != vb and va not in self.bindings:
                self.bindings[va] = vb

    def string(self, path, shown, actual):
        if shown.endswith("...") or shown.endswith(ELLIPSIS):
            prefix = shown.rstrip(".").rstrip(ELLIPSIS)
            self.bind_text(prefix, actual[:len(prefix) + 64])
            if not normalise(actual).startswith(normalise(prefix)):
                self.problems.append(f"{path}: shown '{shown}', got '{actual}'")
            return
        self.bind_text(shown, actual)
        if normalise(shown) != normalise(actual):
            self.problems.append(f"{path}: shown '{shown}', got '{actual}'")

    def value(self, path, shown, actual):
        ks, ka = kind_of(shown), kind_of(actual)
        if ks != ka:
            self.problems.append(f"{path}: shown a {ks} ({json.dumps(shown)[:80]}), "
                                 f"got a {ka} ({json.dumps(actual)[:80]})")
            return
        if ks == "object":
            self.object(path, shown, actual)
        elif ks == "array":
            self.array(path, shown, actual)
        elif ks == "string":
            self.string(path, shown, actual)
        elif shown != actual:
            self.problems.append(f"{path}: shown {json.dumps(shown)}, got {json.dumps(actual)}")

    def object(self, path, shown, actual):
        open_ended = any(k == ELLIPSIS for k, _ in shown)
        shown = [(k, v) for k, v in shown if k != ELLIPSIS]
        actual_keys = [k for k, _ in actual]
        amap = dict(actual)
        if open_ended:
            missing = [k for k, _ in shown if k not in amap]
            order = [k for k in actual_keys if k in dict(shown)]
            if missing:
                self.problems.append(f"{path}: missing {missing}")
            elif order != [k for k, _ in shown]:
                self.problems.append(f"{path}: keys in another order: {order}")
        elif [k for k, _ in shown] != actual_keys:
            self.problems.append(f"{path}: shown keys {[k for k, _ in shown]}, got {actual_keys}")
        for k, v in shown:
            if k in amap and k not in ANY_VALUE_KEYS:
                self.value(f"{path}.{k}", v, amap[k])

    def array(self, path, shown, actual):
        open_ended = bool(shown) and shown[-1] == ELLIPSIS
        if open_ended:
            shown = shown[:-1]
        if len(actual) < len(shown) or (not open_ended and len(actual) != len(shown)):
            self.problems.append(f"{path}: shown {len(shown)} elements"
                                 f"{' or more' if open_ended else ''}, got {len(actual)}")
        for i, (s, a) in enumerate(zip(shown, actual)):
            if s == [(ELLIPSIS, 0)]:
                continue  # {...}: any element
            self.value(f"{path}[{i}]", s, a)

    def text(self, shown_lines, actual_lines):
        """Line by line after normalising; a shown line `...` stands for any lines, a shown
        line ending in `...` for any line starting with what precedes it."""
        s, a = shown_lines, actual_lines
        i = j = 0
        while i < len(s):
            line = s[i].rstrip()
            if line.strip() in ("...", ELLIPSIS):
                if i + 1 == len(s):
                    return
                nxt = normalise(s[i + 1].rstrip())
                while j < len(a) and normalise(a[j].rstrip()) != nxt:
                    j += 1
                i += 1
                continue
            if j >= len(a):
                self.problems.append(f"line {i + 1}: shown '{line}', got nothing")
                return
            got = a[j].rstrip()
            if line.endswith("..."):
                self.bind_text(line[:-3], got)
                if not normalise(got).startswith(normalise(line[:-3])):
                    self.problems.append(f"line {i + 1}: shown '{line}', got '{got}'")
            else:
                self.bind_text(line, got)
                if normalise(line) != normalise(got):
                    self.problems.append(f"line {i + 1}: shown '{line}', got '{got}'")
            i += 1
            j += 1
        if j < len(a):
            self.problems.append(f"more output than shown, from line {j + 1}: '{a[j]}'")


def is_error_body(shown):
    """The page shows an error: an {"error"} or {"message"} body."""
    if kind_of(shown) != "object":
        return False
    keys = {k for k, _ in shown}
    return "error" in keys or keys == {"message"}


# ---- running -----------------------------------------------------------------------------------

class Server:
    """`cdrd demo` then `cdrd serve` on a free port in a fresh directory, as `make run`."""

    def __init__(self, cdrd, source):
        self.dir = tempfile.mkdtemp(prefix="cdrd-docs-")
        self.var = os.path.join(self.dir, "var")
        for sub in ("bin", "build"):
            os.mkdir(os.path.join(self.dir, sub))
            os.symlink(cdrd, os.path.join(self.dir, sub, "cdrd"))
        os.symlink(os.path.join(source, "docs"), os.path.join(self.dir, "docs"))
        demo = subprocess.run([cdrd, "--data-dir", self.var, "demo"], capture_output=True,
                              text=True, timeout=120)
        if demo.returncode != 0:
            raise RuntimeError("cdrd demo failed: " + demo.stdout + demo.stderr)
        port_file = os.path.join(self.var, "port")
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.proc = subprocess.Popen(
            [cdrd, "--data-dir", self.var, "serve", "--port", "0", "--port-file", port_file,
             "--operator-key-file", os.path.join(self.var, "operator.key")],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + 30
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("cdrd serve did not start: " + self.server_log())
            time.sleep(0.05)
        self.port = int(open(port_file).read().strip())
        self.env = {}
        for line in open(os.path.join(self.var, "demo.env")):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                self.env[k] = v

    def server_log(self):
        self.log.flush()
        return open(os.path.join(self.dir, "server.log")).read()[-3000:]

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


class Shell:
    """Runs the page's commands one by one in bash, keeping variables between them."""

    def __init__(self, server):
        self.server = server
        self.state = os.path.join(server.dir, ".state")
        self.last_rc = 0
        path = os.path.join(server.dir, "bin") + os.pathsep + os.environ.get("PATH", "/usr/bin")
        # As if the reader had run the README's `. var/demo.env` in the repository.
        self.base_env = dict(server.env, PATH=path, HOME=server.dir, LANG="C.UTF-8",
                             LC_ALL="C.UTF-8", TZ="UTC")
        open(self.state, "w").close()

    def run(self, command):
        script = (
            "set -a\n"
            f". '{self.state}'\n"
            f"cd '{self.server.dir}'\n"
            # Each curl also reports its status on stderr (an -w of the page's replaces it).
            f"curl() {{ command curl -w '%{{stderr}}{STATUS_MARK}%{{http_code}}\\n' \"$@\"; }}\n"
            f"(exit {self.last_rc})\n"
            f"{command}\n"
            "__docs_rc=$?\n"
            f"export -p > '{self.state}.new'\n"
            "exit $__docs_rc\n")
        p = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                           env=self.base_env, timeout=60)
        if os.path.exists(self.state + ".new"):
            os.replace(self.state + ".new", self.state)
        self.last_rc = p.returncode
        statuses = [int(l[len(STATUS_MARK):]) for l in p.stderr.splitlines()
                    if l.startswith(STATUS_MARK)]
        stderr = "\n".join(l for l in p.stderr.splitlines() if not l.startswith(STATUS_MARK))
        return p.returncode, p.stdout, stderr, statuses


def substitute(command, bindings, port, demo_auth_id):
    command = command.replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    # An auth_id the page names before any output showed it is the demo account's.
    for auth_id in dict(VARYING)["auth_id"].findall(command):
        bindings.setdefault(auth_id, demo_auth_id)
    for shown in sorted(bindings, key=len, reverse=True):
        command = command.replace(shown, bindings[shown])
    return command


def check_step(checker, command, shown_lines, rc, out, err, statuses, next_command):
    shown = "\n".join(shown_lines)
    # Commands answer on stdout, cdrd's errors and refusals on stderr: the page shows both.
    actual = (out + err).rstrip("\n")
    shown_status = None
    m = re.match(r"^(.*?)\s?(\d{3})$", shown, re.S)
    if "%{http_code}" in command and m:
        shown, shown_status = m.group(1), int(m.group(2))
        am = re.match(r"^(.*?)\s?(\d{3})$", actual, re.S)
        if not am:
            checker.problems.append(f"no status in the output: {actual[:200]}")
            return
        actual, statuses = am.group(1), [int(am.group(2))]
    shown_json = load_shown_json(shown)
    # The status: the one the page prints, else 2xx for a body that is no error, 4xx/5xx for
    # an error body. The exit code: the one `echo $?` shows next, else 0 unless the page shows
    # a `cdrd: ` error line.
    if statuses:
        if shown_status is not None:
            if statuses[-1] != shown_status:
                checker.problems.append(f"status: shown {shown_status}, got {statuses[-1]}")
        elif shown_json is not None:
            want_error = is_error_body(shown_json)
            got_error = statuses[-1] >= 400
            if want_error != got_error:
                checker.problems.append(f"status {statuses[-1]} for a body shown as "
                                        f"{'an error' if want_error else 'a success'}")
    elif not (next_command or "").strip().startswith("echo $?"):
        shows_error = any(l.startswith("cdrd: ") for l in shown_lines)
        if (rc != 0) != shows_error:
            checker.problems.append(f"exit code {rc}{' (an error shown)' if shows_error else ''}")
    if shown_json is not None:
        got = load_json(actual)
        if got is None:
            checker.problems.append(f"shown JSON, got: {actual[:300]}")
        else:
            checker.value("$", shown_json, got)
        return
    checker.text(shown.split("\n") if shown else [], actual.split("\n") if actual else [])


def run_page(page, args, report):
    runnable = [b for b in page.blocks if b[3] is None and b[1] != "other"]
    for line_no, kind, _, reason in page.blocks:
        if reason is not None:
            report["skipped"].append(f"{page.rel}:{line_no}: {reason}")
    if not runnable:
        return
    server = Server(args.cdrd, args.source)
    rewrites = []
    commands = "\n".join(c for _, kind, payload, _ in runnable if kind == "example"
                         for c, _, _ in payload)
    try:
        shell = Shell(server)
        bindings = {}
        for line_no, kind, payload, _ in runnable:
            if kind == "setup":
                for line in payload:
                    rc, out, err, _ = shell.run(substitute(line, bindings, server.port, server.env['CDRD_AUTH_ID']))
                    if rc != 0:
                        report["failed"].append(f"{page.rel}:{line_no}: setup `{line}` "
                                                f"failed: {err.strip()}")
                continue
            for n, (command, shown, span) in enumerate(payload):
                real = substitute(command, bindings, server.port, server.env['CDRD_AUTH_ID'])
                rc, out, err, statuses = shell.run(real)
                nxt = payload[n + 1][0] if n + 1 < len(payload) else None
                checker = Checker(bindings)
                check_step(checker, command, shown, rc, out, err, statuses, nxt)
                where = f"{page.rel}:{line_no}: $ {command.splitlines()[0][:110]}"
                if args.rewrite and (checker.problems or args.rewrite == "all"):
                    text = (out + err).rstrip("\n").replace(f"127.0.0.1:{server.port}",
                                                             "127.0.0.1:8080")
                    # Values of this run go back to the page's names for them: credentials
                    # and ids always, a uuid only when a later command of the page names it
                    # (a demo call's uuid is the same in every run: the real one is shown).
                    for shown_value, real_value in bindings.items():
                        if not dict(VARYING)["uuid"].fullmatch(shown_value) or shown_value in commands:
                            text = text.replace(real_value, shown_value)
                    rewrites.append((span, text.split("\n") if text else []))
                if checker.problems:
                    report["failed"].append(
                        where + "\n    " + "\n    ".join(p[:600] for p in checker.problems[:8]) +
                        (f"\n    (ran: {real.splitlines()[0][:200]})" if args.verbose else ""))
                else:
                    report["passed"].append(where)
    finally:
        server.stop()
    if rewrites:
        lines = open(page.path, encoding="utf-8").read().split("\n")
        for (first, end), new_lines in sorted(rewrites, reverse=True):
            indent = page.indent[max(k for k in page.indent if k <= first)]
            lines[first:end] = [indent + l if l else l for l in new_lines]
        open(page.path, "w", encoding="utf-8").write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cdrd", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--page", action="append", help="only this page (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the examples, run nothing")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--rewrite", nargs="?", const="failed", choices=["failed", "all"],
                    help="write what each failing example printed into its page (then review "
                         "the diff: elisions and pipes need a hand)")
    args = ap.parse_args()
    args.cdrd = os.path.abspath(args.cdrd)
    args.source = os.path.abspath(args.source)
    rels = ["README.md"] + sorted("docs/" + f for f in os.listdir(os.path.join(args.source, "docs"))
                                  if f.endswith(".md"))
    if args.page:
        rels = [r for r in rels if r in args.page]
    pages = [Page(os.path.join(args.source, r), r) for r in rels]
    if args.list:
        for p in pages:
            for line_no, kind, payload, reason in p.blocks:
                if reason is not None:
                    print(f"{p.rel}:{line_no}: skipped: {reason}")
                elif kind == "example":
                    for command, _, _ in payload:
                        print(f"{p.rel}:{line_no}: $ {command.splitlines()[0]}")
                elif kind == "setup":
                    print(f"{p.rel}:{line_no}: setup: {'; '.join(payload)}")
        return 0
    report = {"passed": [], "failed": [], "skipped": []}
    for p in pages:
        try:
            run_page(p, args, report)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            report["failed"].append(f"{p.rel}: {e}")
    if args.verbose:
        for line in report["passed"]:
            print("ok      " + line)
    for line in report["skipped"]:
        print("skipped " + line)
    for line in report["failed"]:
        print("FAILED  " + line)
    print(f"docs examples: {len(report['passed'])} passed, {len(report['failed'])} failed, "
          f"{len(report['skipped'])} blocks skipped")
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
