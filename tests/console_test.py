#!/usr/bin/env python3
"""The web console in a real browser (the `console_browser` test; docs/console.md).

Starts the real cdrd on a free port with a temporary database filled by `cdrd demo` (as
`make run` does), drives headless Chromium through chromedriver with Selenium, and checks what
the page shows against what the API answers: a customer signs in, the count equals the API's
total_count, a filter (direction and a number prefix) and the next page show the API's calls,
a call shows its uuid, its legs and its Insights, the charts have a point per period, the trunk
view lists the account's trunks; then the operator signs in and picks the account. The browser's
log must hold no Content-Security-Policy violation and no error. Screenshots of each step go to
--out.

Chromium, chromedriver and Selenium are the Debian packages `chromium`, `chromium-driver` and
`python3-selenium` (`scripts/install-deps.sh test`, run by `make test`); without them the test
is skipped (exit 77) and says why.

Usage: console_test.py --cdrd BUILD/cdrd --out DIR
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

SKIP = 77
DEBIAN_PYTHON = "/usr/bin/python3"


def skip(reason):
    print("console_test: SKIPPED: " + reason)
    sys.exit(SKIP)


try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    # Debian's python3-selenium belongs to Debian's python3; another python3 may come first in
    # PATH (a virtualenv, pyenv).
    if os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON) and os.path.exists(
            DEBIAN_PYTHON) and os.environ.get("CDRD_CONSOLE_TEST_REEXEC") != "1":
        os.environ["CDRD_CONSOLE_TEST_REEXEC"] = "1"
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
    skip("python3-selenium is not installed (scripts/install-deps.sh test installs it)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """cdrd demo, then cdrd serve on a free port, as scripts/run-demo.sh."""

    def __init__(self, cdrd, work):
        self.data = os.path.join(work, "var")
        subprocess.run([cdrd, "--data-dir", self.data, "demo"], check=True,
                       stdout=subprocess.DEVNULL)
        self.env = {}
        with open(os.path.join(self.data, "demo.env")) as f:
            for line in f:
                key, _, value = line.strip().partition("=")
                if key:
                    self.env[key] = value
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.log = open(os.path.join(work, "serve.log"), "w")
        self.proc = subprocess.Popen(
            [cdrd, "--data-dir", self.data, "serve", "--port", str(self.port),
             "--operator-key-file", os.path.join(self.data, "operator.key")],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("cdrd serve did not start (see serve.log)")
                time.sleep(0.1)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def get(self, path, params=None):
        """The JSON of an account route, asked with the demo account's credentials."""
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        raw = "%s:%s" % (self.env["CDRD_AUTH_ID"], self.env["CDRD_AUTH_TOKEN"])
        request = urllib.request.Request(url, headers={
            "Authorization": "Basic " + base64.b64encode(raw.encode()).decode()})
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.loads(r.read())

    def account(self, tail, params=None):
        return self.get("/v1/Account/%s/Zentrunk/%s" % (self.env["CDRD_AUTH_ID"], tail), params)


class Console:
    """The browser on the console, with the waits and reads the checks need."""

    def __init__(self, driver, out):
        self.d = driver
        self.out = out
        self.shots = 0

    def by_id(self, element_id):
        return self.d.find_element(By.ID, element_id)

    def settle(self, what, condition=lambda d: True, timeout=20):
        """Waits until no loader runs and `condition` holds; fails naming `what`."""
        def ready(d):
            loading = "loading" in (d.find_element(By.TAG_NAME, "body").get_attribute("class")
                                    or "")
            return not loading and condition(d)
        try:
            WebDriverWait(self.d, timeout, poll_frequency=0.1).until(ready)
        except TimeoutException:
            self.screenshot("timeout")
            error = self.by_id("error").text
            raise AssertionError("timed out waiting for %s (error shown: %r)" % (what, error))

    def visible(self, element_id):
        return self.by_id(element_id).is_displayed()

    def type_into(self, element, text):
        element.clear()
        element.send_keys(text)

    def screenshot(self, name):
        self.shots += 1
        path = os.path.join(self.out, "%02d-%s.png" % (self.shots, name))
        self.d.save_screenshot(path)
        return path

    def shown_uuids(self):
        return [row.get_attribute("data-uuid")
                for row in self.d.find_elements(By.CSS_SELECTOR, "#calls-rows tr.call")]

    def shown_total(self):
        return int(self.by_id("count").get_attribute("data-total"))

    def error_text(self):
        return self.by_id("error").text if self.visible("error") else ""


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print("ok: " + message)


def browser_problems(driver):
    """Errors of the browser's console: CSP refusals, script errors, failed loads."""
    try:
        entries = driver.get_log("browser")
    except Exception:  # a driver without the log endpoint: nothing to read
        return []
    return [e["message"] for e in entries if e.get("level") == "SEVERE"
            or "Content Security Policy" in e.get("message", "")]


def run(console, server):
    d = console.d
    env = server.env
    d.get(server.base + "/console")  # the redirect to /console/
    console.settle("the sign-in form", lambda d: console.visible("view-signin"))
    check(d.current_url == server.base + "/console/", "/console redirects to /console/")
    console.screenshot("sign-in")

    # A wrong token is refused on the page.
    console.type_into(console.by_id("auth-id"), env["CDRD_AUTH_ID"])
    console.type_into(console.by_id("auth-token"), "not-the-token")
    console.by_id("signin-account-submit").click()
    console.settle("the refusal", lambda d: console.error_text() != "")
    check("Sign-in failed" in console.error_text() and console.visible("view-signin"),
          "a wrong auth_token is refused: " + console.error_text())
    # The browser logs that 401; anything logged later is a problem.
    expected = [p for p in browser_problems(d) if "401" not in p]
    check(not expected, "the sign-in page loaded without CSP violations or errors: %s" % expected)

    # The customer signs in: the whole account, newest first.
    console.type_into(console.by_id("auth-token"), env["CDRD_AUTH_TOKEN"])
    console.by_id("signin-account-submit").click()
    console.settle("the call list", lambda d: console.visible("view-calls")
                   and console.by_id("count").get_attribute("data-total"))
    first_page = server.account("Call/", {"limit": 20})
    check(console.shown_total() == first_page["meta"]["total_count"],
          "the count shown (%s) is the API's total_count" % console.by_id("count").text)
    check(console.shown_uuids() == [c["call_uuid"] for c in first_page["objects"]],
          "the first page shows the API's first 20 calls in order")
    check(d.execute_script("return window.sessionStorage.length") == 1
          and env["CDRD_AUTH_TOKEN"] not in d.current_url,
          "the credentials are in sessionStorage, not in the URL")
    console.screenshot("calls")

    # A filter: outbound calls to numbers that start with +91.
    form = console.by_id("filters")
    Select(form.find_element(By.NAME, "call_direction")).select_by_visible_text("outbound")
    console.type_into(form.find_element(By.NAME, "to_number"), "+91")
    console.by_id("apply-filters").click()
    params = {"call_direction": "outbound", "to_number": "+91", "limit": 20}
    filtered = server.account("Call/", params)
    total = filtered["meta"]["total_count"]
    check(20 < total < first_page["meta"]["total_count"],
          "the filter narrows the demo's calls to more than one page (%d)" % total)
    console.settle("the filtered list", lambda d: console.shown_total() == total)
    check(console.shown_uuids() == [c["call_uuid"] for c in filtered["objects"]],
          "the filtered count (%d) and rows are the API's" % total)
    check(console.by_id("range").text == "1–20", "the range shows 1–20")
    check(not console.by_id("prev-page").is_enabled(), "no previous page on the first")
    console.screenshot("calls-filtered")

    # The next page.
    console.by_id("next-page").click()
    second = server.account("Call/", dict(params, offset=20))
    console.settle("the second page",
                   lambda d: console.shown_uuids() == [c["call_uuid"] for c in second["objects"]])
    check(console.by_id("range").text == "21–%d" % (20 + len(second["objects"])),
          "the next page shows the API's calls 21-%d" % (20 + len(second["objects"])))
    check(console.by_id("prev-page").is_enabled(), "the second page has a previous one")

    # One call: its record, Insights and legs.
    uuid = env["CDRD_DEMO_CALL"]
    # The demo's newest call is on the first page of the unfiltered list.
    console.by_id("clear-filters").click()
    console.settle("the whole list again", lambda d: uuid in console.shown_uuids())
    d.find_element(By.CSS_SELECTOR, '#calls-rows tr[data-uuid="%s"]' % uuid).click()
    insights = server.account("Call/%s/Insights/" % uuid)
    legs = server.account("Call/%s/Legs/" % uuid)
    console.settle("the call", lambda d: console.visible("view-call")
                   and console.by_id("call-uuid").text == uuid
                   and console.by_id("legs-count").text != "")
    check(console.by_id("insights-score").text == insights["plivo_quality_score"],
          "the call shows its quality score %s" % insights["plivo_quality_score"])
    shown_legs = d.find_elements(By.CSS_SELECTOR, "#legs-rows tr.leg")
    check(len(shown_legs) == len(legs["objects"]) > 0,
          "the call shows its %d leg(s)" % len(legs["objects"]))
    check(legs["objects"][0]["extension_name"] in shown_legs[0].text,
          "the first leg names its extension %s" % legs["objects"][0]["extension_name"])
    fields = console.by_id("call-fields").text
    call = server.account("Call/%s/" % uuid)
    check(call["total_amount"] in fields and call["to_number"] in fields,
          "the record shows the call's number and amount")
    check("#call/" + uuid in d.current_url, "the call has its own address")
    console.screenshot("call")

    # Charts from the usage totals: a point per day in each chart.
    console.by_id("nav-charts").click()
    usage = server.account("Usage/", {"period": "day"})
    days = len(usage["objects"])

    def points(chart_id):
        return len(d.find_elements(By.CSS_SELECTOR, "#%s svg circle" % chart_id))
    console.settle("the charts", lambda d: console.visible("view-charts")
                   and points("chart-cost") > 0)
    check(points("chart-calls") == 2 * days and points("chart-cost") == days,
          "the charts have a point per day (%d days, calls and answered)" % days)
    asr_points = sum(1 for row in usage["objects"] if row["asr"] is not None)
    check(points("chart-asr") == asr_points and points("chart-acd") > 0,
          "the ASR and ACD charts have their points")
    totals = console.by_id("totals").text
    check("{:,} calls".format(usage["totals"]["calls"]) in totals
          and usage["totals"]["total_amount"] in totals,
          "the totals line shows the API's totals: " + totals)
    console.screenshot("charts")

    # The trunk resources.
    console.by_id("nav-trunks").click()
    trunks = server.account("Trunk/")
    console.settle("the trunks", lambda d: console.visible("view-trunks") and d.find_elements(
        By.CSS_SELECTOR, "#trunks-rows tr.trunk"))
    rows = d.find_elements(By.CSS_SELECTOR, "#trunks-rows tr.trunk")
    check(len(rows) == trunks["meta"]["total_count"]
          and all(t["trunk_id"] in console.by_id("trunks-rows").text for t in trunks["objects"]),
          "the trunk view lists the account's %d trunks" % len(rows))
    console.screenshot("trunks")

    # The operator signs in and picks the account.
    console.by_id("sign-out").click()
    console.settle("the sign-in form", lambda d: console.visible("view-signin"))
    check(d.execute_script("return window.sessionStorage.length") == 0,
          "signing out forgets the credentials")
    console.type_into(console.by_id("operator-key"), env["CDRD_OPERATOR_KEY"])
    console.by_id("signin-operator-submit").click()
    console.settle("the accounts", lambda d: console.visible("view-accounts") and d.find_elements(
        By.CSS_SELECTOR, "#accounts-rows a.pick"))
    picks = d.find_elements(By.CSS_SELECTOR, "#accounts-rows a.pick")
    check([p.get_attribute("data-auth-id") for p in picks] == [env["CDRD_AUTH_ID"]],
          "the operator sees the demo account")
    console.screenshot("operator-accounts")
    picks[0].click()
    console.settle("the operator's call list", lambda d: console.visible("view-calls")
                   and console.by_id("count").get_attribute("data-total"))
    check(console.shown_total() == first_page["meta"]["total_count"]
          and env["CDRD_AUTH_ID"] in console.by_id("who-account").text,
          "the operator reads the picked account's %d calls" % console.shown_total())
    console.screenshot("operator-calls")

    problems = browser_problems(d)
    check(not problems, "the browser logged no CSP violation or error: %s" % problems)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cdrd", required=True)
    parser.add_argument("--out", required=True, help="the screenshots' directory")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    chromedriver = shutil.which("chromedriver")
    if not chromium or not chromedriver:
        skip("chromium and chromium-driver are not installed "
             "(scripts/install-deps.sh test installs them)")
    os.makedirs(args.out, exist_ok=True)
    for old in os.listdir(args.out):
        if old.endswith(".png"):
            os.remove(os.path.join(args.out, old))
    work = tempfile.mkdtemp(prefix="cdrd-console-")
    server = None
    driver = None
    ok = False
    try:
        server = Server(args.cdrd, work)
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1440,1000",
                     "--user-data-dir=" + os.path.join(work, "chromium")):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(chromedriver,
                                                  log_path=os.path.join(work, "driver.log")),
                                  options=options)
        console = Console(driver, args.out)
        run(console, server)
        ok = True
        print("console_test: all checks passed; screenshots in " + args.out)
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.stop()
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("console_test: the server's log and the data stay in " + work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
