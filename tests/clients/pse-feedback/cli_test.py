#!/usr/bin/python3
"""pse-feedback's commands against a running server: exit codes and messages of issue-link and
keygen, answers posted over HTTPS (verifying the server against the test CA), the moderation
queue (list, approve, reject, escalate), the outbox when the broker is unreachable, the report.
Bounded to 60 s by ctest."""
import argparse
import http.cookiejar
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request


def run(binary, *args, expect=0):
    result = subprocess.run([binary, *args], capture_output=True, text=True, timeout=30)
    if result.returncode != expect:
        raise AssertionError(f"{args}: exit {result.returncode}, expected {expect}\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Citizen:
    """A browser-like client: keeps the CSRF cookie, verifies TLS against the test CA."""

    def __init__(self, ca):
        context = ssl.create_default_context(cafile=ca)
        self.opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                                  urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def answer(self, url, rating, needed, comment):
        page = self.opener.open(url, timeout=10).read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf": csrf, "rating": rating, "got_what_needed": needed, "comment": comment,
                                       "website": ""}).encode()
        try:
            response = self.opener.open(urllib.request.Request(url, data=body), timeout=10)
            return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    binary = args.binary

    run(binary, expect=2)
    check("usage:" in run(binary, "--help"), "no usage")
    check("issue-link" in run(binary, "issue-link", "--help"), "no issue-link help")
    run(binary, "frobnicate", expect=2)

    with tempfile.TemporaryDirectory(prefix="pse-feedback-cli-") as work:
        pki = os.path.join(work, "pki")
        run(os.path.join(args.source, "certs/pse-pki"), "init", "--dir", pki)
        run(os.path.join(args.source, "certs/pse-pki"), "issue-server", "--dir", pki, "--name", "feedback")
        run(os.path.join(args.source, "certs/pse-pki"), "issue-org", "--dir", pki, "--org", "pse-feedback")
        lists = os.path.join(args.source, "config/feedback")
        config = os.path.join(work, "feedback.yaml")
        with open(config, "w") as out:
            out.write(f"""listen: {{address: 127.0.0.1, port: 0}}
public_url: https://localhost:1
tls: {{certificate: {pki}/servers/feedback.crt, key: {pki}/servers/feedback.key}}
signing_key: {work}/signing.key
database: {work}/feedback.db
services: {lists}/services.yaml
words:
  profanity: [{lists}/profanity-fr.txt, {lists}/profanity-en.txt]
  threats: [{lists}/threats-fr.txt, {lists}/threats-en.txt]
broker: {{host: localhost, port: {closed_port()}, ca: {pki}/ca.crt, certificate: {pki}/orgs/pse-feedback.crt, key: {pki}/orgs/pse-feedback.key, publish_interval_seconds: 3600}}
""")
        # Keys and links.
        run(binary, "issue-link", "--config", config, "--service", "saaq-immatriculation", "--transaction", "T1", expect=2)
        run(binary, "keygen", "--config", config)
        check("must not exist" in run(binary, "keygen", "--config", config, expect=1), "keygen overwrote the key")
        os.chmod(os.path.join(work, "signing.key"), 0o644)
        check("chmod 600" in run(binary, "issue-link", "--config", config, "--service", "saaq-immatriculation",
                                 "--transaction", "T1", expect=2), "a world-readable key was accepted")
        os.chmod(os.path.join(work, "signing.key"), 0o600)
        check("unknown service" in run(binary, "issue-link", "--config", config, "--service", "nope", "--transaction", "T1",
                                       expect=2), "unknown service accepted")
        run(binary, "issue-link", "--config", config, "--service", "saaq-immatriculation", "--transaction", "a b", expect=2)
        run(binary, "issue-link", "--config", config, "--service", "saaq-immatriculation", "--transaction", "T1",
            "--valid-days", "0", expect=2)
        run(binary, "issue-link", "--config", config, "--bogus", "x", expect=2)

        def link(transaction):
            out = run(binary, "issue-link", "--config", config, "--service", "saaq-immatriculation", "--transaction", transaction)
            check(out.startswith("https://localhost:1/f/"), f"link: {out}")
            return out.strip().rsplit("/f/", 1)[1]

        log = open(os.path.join(work, "serve.log"), "w+")
        server = subprocess.Popen([binary, "serve", "--config", config], stdout=log, stderr=log)
        try:
            port = None
            for _ in range(300):
                log.seek(0)
                match = re.search(r'"msg":"listening".*"port":(\d+)', log.read())
                if match:
                    port = int(match.group(1))
                    break
                time.sleep(0.05)
            check(port is not None, "no port")
            base = f"https://localhost:{port}/f/"
            citizen = Citizen(os.path.join(pki, "ca.crt"))
            status, page = citizen.answer(base + link("T-threat"), 1, "no", "Je sais où vous habitez, NAS 046 454 286")
            check(status == 200 and "Merci de votre avis" in page, f"threat answer: {status}")
            status, _ = citizen.answer(base + link("T-rude"), 2, "no", "Quelle m3rde, appelez le 418 555-0199")
            check(status == 200, f"rude answer: {status}")
            status, _ = citizen.answer(base + link("T-clean"), 5, "yes", "Parfait <b>merci</b>")
            check(status == 200, f"clean answer: {status}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
        log.seek(0)
        logged = log.read()
        check("046 454 286" not in logged and "habitez" not in logged, "a comment reached the log")

        # The queue: the threat (escalated) first, then the rude one; personal information masked.
        listing = run(binary, "moderate", "--config", config, "list")
        check("2 waiting" in listing, listing)
        check(listing.index("escalated (threat)") < listing.index("pending"), listing)
        check("[NAS masqué]" in listing and "046 454 286" not in listing, listing)
        check("####" in listing and "[téléphone masqué]" in listing and "555-0199" not in listing, listing)
        html = run(binary, "moderate", "--config", config, "list", "--format", "html")
        check("<table>" in html and "<b>" not in html, "moderator page")
        ids = re.findall(r"^(fb_[0-9a-f]{24})", listing, re.MULTILINE)
        check(len(ids) == 2, listing)
        threat, rude = ids
        run(binary, "moderate", "--config", config, "approve", rude, "--note", "masqué, acceptable")
        run(binary, "moderate", "--config", config, "approve", rude, expect=1)
        run(binary, "moderate", "--config", config, "escalate", threat)
        run(binary, "moderate", "--config", config, "reject", threat, "--note", "transmis à la sécurité")
        run(binary, "moderate", "--config", config, "approve", "fb_000000000000000000000000", expect=1)
        run(binary, "moderate", "--config", config, "sideways", rude, expect=2)
        check("0 waiting" in run(binary, "moderate", "--config", config, "list"), "queue not empty")
        check("rejected" in run(binary, "moderate", "--config", config, "show", threat), "threat not rejected")

        # The broker is unreachable: both approved answers stay in the outbox.
        out = run(binary, "publish", "--config", config, expect=1)
        check("0 published, 2 failed" in out, out)
        out = run(binary, "publish", "--config", config, expect=1)
        check("0 published, 2 failed" in out, out)

        report = json.loads(run(binary, "report", "--config", config, "--from", "2000-01-01", "--to", "2100-12-31"))
        saaq = report["services"][0]
        check(saaq["answers"] == 2 and saaq["ratings"] == [0, 1, 0, 0, 1], report)
        run(binary, "report", "--config", config, "--from", "yesterday", "--to", "2100-12-31", expect=2)
        page = run(binary, "report", "--config", config, "--from", "2000-01-01", "--to", "2100-12-31", "--format", "html")
        check("Parfait &lt;b&gt;merci&lt;/b&gt;" in page and "<svg" in page, "report page")
    print("cli test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
