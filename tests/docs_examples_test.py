#!/usr/bin/env python3
"""The rules of tests/docs_examples.py, without a server (the docs_examples_rules test)."""
import os
import sys
import unittest

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docs_examples as d  # noqa: E402


def compare(shown, actual, bindings=None):
    checker = d.Checker({} if bindings is None else bindings)
    checker.value("$", d.load_shown_json(shown), d.load_json(actual))
    return checker.problems


class Steps(unittest.TestCase):
    def test_commands_continuations_heredocs_and_outputs(self):
        body = ["$ cat > a.ndjson <<EOF", '{"x": 1}', "$ not a command", "EOF",
                "$ curl -s \\", "    http://h/", '{"ok":true}', "", "$ echo $?", "0"]
        steps = d.split_steps(body, 10)
        self.assertEqual([c for c, _, _ in steps],
                         ['cat > a.ndjson <<EOF\n{"x": 1}\n$ not a command\nEOF',
                          "curl -s \\\n    http://h/", "echo $?"])
        self.assertEqual([o for _, o, _ in steps], [[], ['{"ok":true}'], ["0"]])
        self.assertEqual(steps[1][2], (16, 17))  # the page lines of the shown output

    def test_setup_lines(self):
        for line in ["export A=1 B=2", "B=http://h/$A   # comment", ". var/demo.env"]:
            self.assertTrue(d.SETUP_LINE_RE.match(line), line)
        for line in ["make run", "prefix,rate", "A = 1"]:
            self.assertFalse(d.SETUP_LINE_RE.match(line), line)


class Json(unittest.TestCase):
    def test_equal_shapes_pass_and_varying_values_are_ignored(self):
        self.assertEqual(compare(
            '{"api_id":"a","call_uuid":"2abebddf-c5da-424b-b18d-6c62233da9b7","n":3,'
            '"t":"2026-11-29 23:43:32","next":"/v1/Account/MA9P99VRJ0NOTG95F8U5/x"}',
            '{"api_id":"b","call_uuid":"00000000-c5da-424b-b18d-6c62233da9b7","n":3,'
            '"t":"2027-01-02 01:02:03","next":"/v1/Account/MAH8BMEAPEWTB2QGAVAC/x"}'), [])

    def test_keys_order_types_and_values_are_compared(self):
        self.assertTrue(compare('{"a":1,"b":2}', '{"b":2,"a":1}'))
        self.assertTrue(compare('{"a":1}', '{"a":1,"b":2}'))
        self.assertTrue(compare('{"a":null}', '{"a":"x"}'))
        self.assertTrue(compare('{"a":"x"}', '{"a":"y"}'))
        self.assertTrue(compare('{"a":104}', '{"a":105}'))
        self.assertTrue(compare('{"a":[1,2]}', '{"a":[1]}'))

    def test_elisions(self):
        self.assertEqual(compare('{"a":1,...}', '{"a":1,"b":2}'), [])
        self.assertTrue(compare('{"b":2,...}', '{"a":1}'))
        self.assertEqual(compare('{"o":[{"a":1,...},{...}]}',
                                 '{"o":[{"a":1,"z":0},{"q":5}]}'), [])
        self.assertEqual(compare('{"e":"bad: one; ..."}', '{"e":"bad: one; two"}'), [])
        self.assertTrue(compare('{"e":"bad: one; ..."}', '{"e":"worse: one; two"}'))

    def test_ids_the_page_shows_are_bound_to_the_real_ones(self):
        bindings = {}
        compare('{"trunk_id":"10070069537966076","token":"zaDhUYU7ZIZfJM8bfvyevcb83CtRNGfzulKp"}',
                '{"trunk_id":"52817261540919211","token":"Q2abUYU7ZIZfJM8bfvyevcb83CtRNGfzulKp"}',
                bindings)
        self.assertEqual(bindings, {"10070069537966076": "52817261540919211",
                                    "zaDhUYU7ZIZfJM8bfvyevcb83CtRNGfzulKp":
                                        "Q2abUYU7ZIZfJM8bfvyevcb83CtRNGfzulKp"})
        self.assertEqual(d.substitute('curl "$B/Trunk/10070069537966076/" 127.0.0.1:8080',
                                      bindings, 4242, "MAH8BMEAPEWTB2QGAVAC"),
                         'curl "$B/Trunk/52817261540919211/" 127.0.0.1:4242')
        # An account the page names without having shown where it came from: the demo's.
        self.assertEqual(d.substitute("cdrd app create --account MAN9LE9NACQNRO2MTP43", bindings,
                                      4242, "MAH8BMEAPEWTB2QGAVAC"),
                         "cdrd app create --account MAH8BMEAPEWTB2QGAVAC")

    def test_error_bodies(self):
        self.assertTrue(d.is_error_body(d.load_shown_json('{"api_id":"x","error":"e"}')))
        self.assertTrue(d.is_error_body(d.load_shown_json('{"message":"m"}')))
        self.assertFalse(d.is_error_body(d.load_shown_json('{"api_id":"x","stored":1}')))


class Text(unittest.TestCase):
    def check(self, shown, actual):
        checker = d.Checker({})
        checker.text(shown.split("\n"), actual.split("\n"))
        return checker.problems

    def test_lines_after_normalising(self):
        self.assertEqual(self.check("imported a: stored 2 in 4 ms", "imported a: stored 2 in 17 ms"),
                         [])
        self.assertTrue(self.check("imported a: stored 2", "imported a: stored 3"))
        self.assertTrue(self.check("one", "one\ntwo"))
        self.assertEqual(self.check("cdrd 0.1.0 (commit e43e11ba34be, RelWithDebInfo build)",
                                    "cdrd 0.1.0 (commit unknown, Debug build)"), [])

    def test_a_secret_without_digits_is_still_a_secret(self):
        # A 40-letter token has no digit about once in 1,100 accounts: it must still be bound.
        shown = "auth_token: W1ZdpQ2xvYy8Ma5yZ4nWk0xYq3sO3TGkVhJ8eC6r"
        for actual in ("auth_token: ywuuRmHmxGJXwnjZlvwjcgcZUQSIlpnewoDRPpIf",
                       "auth_token: 4XBQKZ0RM9QVH2WD6CSJ8TF1Y5NAE7GPL3OIU0ZX"):
            self.assertEqual(self.check(shown, actual), [], actual)
        self.assertTrue(self.check("the list answered in this particular order",
                                   "the list answered in that particular order"))

    def test_a_line_of_dots_stands_for_any_lines(self):
        self.assertEqual(self.check("a\n    ...\nz", "a\nb\nc\nz"), [])
        self.assertEqual(self.check("a\n...", "a\nb\nc"), [])


@unittest.skipUnless(os.environ.get("CDRD_BINARY"), "CDRD_BINARY not set")
class EndToEnd(unittest.TestCase):
    """The runner on a page of its own: a true example passes, a false one fails by name."""

    def test_a_wrong_output_fails_and_a_skipped_block_is_reported(self):
        import subprocess
        import tempfile
        with tempfile.TemporaryDirectory() as src:
            os.mkdir(os.path.join(src, "docs"))
            open(os.path.join(src, "README.md"), "w").write(
                "```\n$ cdrd account create --name x\nauth_id: MAB2QCQ4SL5L92X98FHE\n"
                "auth_token: W1ZdpQ2xvYy8Ma5yZ4nWk0xYq3sO3TGkVhJ8eC6r\n"
                "(the token is shown once: only its hash is stored)\n```\n")
            open(os.path.join(src, "docs", "wrong.md"), "w").write(
                "```\n. var/demo.env\n```\n\n"
                "```\n$ curl -s -u \"$CDRD_AUTH_ID:$CDRD_AUTH_TOKEN\" "
                "\"http://127.0.0.1:8080/v1/Account/$CDRD_AUTH_ID/Zentrunk/Trunk/?limit=1\" "
                "| python3 -m json.tool | grep total_count\n"
                "        \"total_count\": 4\n```\n\n"
                "<!-- docs-test: skip: shown only -->\n```\n$ false\n```\n")
            p = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__),
                                                             "docs_examples.py"),
                                "--cdrd", os.environ["CDRD_BINARY"], "--source", src],
                               capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("FAILED  docs/wrong.md:", p.stdout)
        self.assertIn("shown '        \"total_count\": 4', got '        \"total_count\": 3'",
                      p.stdout)
        self.assertIn("skipped docs/wrong.md:", p.stdout)
        self.assertIn("docs examples: 1 passed, 1 failed, 1 blocks skipped", p.stdout)


if __name__ == "__main__":
    unittest.main()
