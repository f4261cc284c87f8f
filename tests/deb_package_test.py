#!/usr/bin/env python3
"""The Debian package, installed for real (docs/operations.md, "Debian package").

Packs the cdrd of a build directory with CPack (or takes a given .deb), installs it with
dpkg -i, checks what it installed (the binary, the unit, the options file as a conffile, the
cdrd user, /var/lib/cdrd), then starts cdrd the way the unit does: the unit's ExecStart, as
the unit's User, with NOTIFY_SOCKET pointing at a socket this test listens on (systemd is not
needed). It waits for READY=1 from a process of user cdrd, checks /healthz on the port set in
/etc/cdrd/cdrd.ini, stops cdrd with SIGTERM (STOPPING=1, exit 0) and purges the package, after
which none of its files, nor the user, is left.

It changes the machine (a package, a system user): it runs only as root with dpkg present, and
not when a cdrd package or user is already there; otherwise it says why and is skipped (exit 77).

Usage: deb_package_test.py (--build-dir DIR [--cpack CPACK] | --deb FILE)
"""

import argparse
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77
UNIT = "/usr/lib/systemd/system/cdrd.service"
INI = "/etc/cdrd/cdrd.ini"
FILES = ["/usr/bin/cdrd", UNIT, INI]


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def run(*cmd, check=True):
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=check, text=True, capture_output=True)


def installed(package):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], text=True,
                       capture_output=True)
    return r.returncode == 0 and "installed" in r.stdout and "not-installed" not in r.stdout


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unit_value(text, key):
    values = re.findall(rf"^{key}=(.*)$", text, re.M)
    if len(values) != 1:
        raise AssertionError(f"{UNIT}: expected one {key}=, got {values}")
    return values[0].strip()


class NotifySocket:
    """A datagram socket as systemd's: each message comes with the sender's credentials."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        os.chmod(path, 0o777)  # the service user must be able to send
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)

    def receive(self, timeout):
        """(message, pid, uid), or None after `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            data, ancdata, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            return None
        pid = uid = -1
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid, uid, _ = struct.unpack("iII", payload[:12])
        return data.decode(), pid, uid

    def expect(self, state, timeout, process):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"cdrd exited with {process.returncode} before {state}")
            got = self.receive(min(1.0, deadline - time.monotonic()))
            if got is None:
                continue
            print(f"notify: {got[0]!r} from pid {got[1]} uid {got[2]}", flush=True)
            if state in got[0].split("\n"):
                return got
        raise AssertionError(f"no {state} within {timeout} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir")
    ap.add_argument("--cpack", default="cpack")
    ap.add_argument("--deb")
    args = ap.parse_args()

    if os.geteuid() != 0:
        skip("installs a package and a system user: run as root (CI runs it on a throwaway machine)")
    for tool in ["dpkg", "dpkg-query", "runuser"]:
        if shutil.which(tool) is None:
            skip(f"{tool} is not available (not a Debian system?)")
    if installed("cdrd"):
        skip("a cdrd package is installed on this machine: not touching it")
    if user_exists("cdrd"):
        skip("a user cdrd exists on this machine: not touching it")

    work = tempfile.mkdtemp(prefix="cdrd-deb-")
    os.chmod(work, 0o755)  # the notify socket inside must be reachable by the cdrd user
    process = None
    try:
        deb = args.deb
        if deb is None:
            if shutil.which(args.cpack) is None:
                skip(f"{args.cpack} is not available")
            r = run(args.cpack, "-G", "DEB", "--config",
                    os.path.join(args.build_dir, "CPackConfig.cmake"), "-B", work)
            debs = [f for f in os.listdir(work) if f.endswith(".deb")]
            if len(debs) != 1:
                raise AssertionError(f"cpack made {debs}:\n{r.stdout}{r.stderr}")
            deb = os.path.join(work, debs[0])
        print(run("dpkg-deb", "--info", deb).stdout)
        print(run("dpkg-deb", "--contents", deb).stdout)

        run("dpkg", "-i", deb)
        for f in FILES:
            assert os.path.isfile(f), f"{f} was not installed"
        conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", "cdrd").stdout
        assert INI in conffiles, f"{INI} is not a conffile: {conffiles!r}"
        user = pwd.getpwnam("cdrd")
        assert user.pw_uid < 1000, f"cdrd is not a system user (uid {user.pw_uid})"
        state = os.stat("/var/lib/cdrd")
        assert state.st_uid == user.pw_uid, "/var/lib/cdrd is not owned by cdrd"
        assert state.st_mode & 0o777 == 0o700, f"/var/lib/cdrd has mode {oct(state.st_mode)}"
        print(run("/usr/bin/cdrd", "--version").stdout.strip())

        unit = open(UNIT).read()
        assert unit_value(unit, "Type") == "notify"
        for hardening in ["ProtectSystem=strict", "ReadWritePaths=/var/lib/cdrd",
                          "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectHome=yes",
                          "StateDirectory=cdrd"]:
            assert re.search(rf"^{hardening}$", unit, re.M), f"{UNIT}: no {hardening}"
        if shutil.which("systemd-analyze"):
            r = run("systemd-analyze", "verify", UNIT, check=False)
            assert r.returncode == 0, f"systemd-analyze verify {UNIT}:\n{r.stdout}{r.stderr}"
        service_user = unit_value(unit, "User")
        exec_start = shlex.split(unit_value(unit, "ExecStart"))

        # The options file as shipped parses (every line commented); now set the port in it.
        port = free_port()
        ini = open(INI).read()
        ini, n = re.subn(r"^; port = 8080$", f"port = {port}", ini, flags=re.M)
        assert n == 1, f"{INI}: no '; port = 8080' line"
        open(INI, "w").write(ini)

        notify_path = os.path.join(work, "notify")
        notify = NotifySocket(notify_path)
        command = ["runuser", "-u", service_user, "--", "env", f"NOTIFY_SOCKET={notify_path}"]
        print("+", " ".join(command + exec_start), flush=True)
        process = subprocess.Popen(command + exec_start)
        _, pid, uid = notify.expect("READY=1", 60, process)
        assert uid == user.pw_uid, f"READY=1 came from uid {uid}, not cdrd's {user.pw_uid}"

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            body = answer.read().decode()
            print(f"GET /healthz: {answer.status} {body.strip()}")
            assert answer.status == 200
        assert os.path.isfile("/var/lib/cdrd/cdrd.db"), "no database in /var/lib/cdrd"

        os.kill(pid, signal.SIGTERM)
        notify.expect("STOPPING=1", 30, process)
        code = process.wait(timeout=30)
        process = None
        assert code == 0, f"cdrd exited with {code} after SIGTERM"
        print("stopped: exit 0")
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        if installed("cdrd") or os.path.exists(UNIT):
            r = run("dpkg", "--purge", "cdrd", check=False)
            print(r.stdout, r.stderr)
        shutil.rmtree(work, ignore_errors=True)

    left = [f for f in FILES + ["/etc/cdrd", "/var/lib/cdrd"] if os.path.exists(f)]
    assert not left, f"left after dpkg --purge: {left}"
    assert not user_exists("cdrd"), "the user cdrd is left after dpkg --purge"
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "cdrd"], text=True,
                            capture_output=True)
    assert status.returncode != 0 or "not-installed" in status.stdout, status.stdout
    print("ok: installed, ready under the unit's command line, answered, stopped, purged")


if __name__ == "__main__":
    main()
