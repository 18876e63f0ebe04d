#!/usr/bin/python3
"""End-to-end test of the citizen's page in a real headless browser (Debian's chromium driven
by chromium-driver through python3-selenium).

Starts pse-feedback on an ephemeral port with a throw-away PKI made by pse-pki, issues a
one-time link, opens it twice (two tabs, as a citizen who opened the e-mail twice), answers in
French in the first tab and sees the confirmation, then sends the second tab's form and sees it
refused, in English; saves screenshots to the build directory. Bounded to 60 s by ctest.

--ignore-certificate-errors is used here, and only here: the server's certificate comes from
a CA made for this test alone.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def run(*command):
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"{command} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return result.stdout


def start_server(binary, config):
    log = open(os.path.join(os.path.dirname(config), "serve.log"), "w+")
    process = subprocess.Popen([binary, "serve", "--config", config], stderr=log, stdout=log)
    deadline = time.time() + 15
    while time.time() < deadline:
        log.seek(0)
        match = re.search(r'"msg":"listening".*"port":(\d+)', log.read())
        if match:
            return process, int(match.group(1))
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError("pse-feedback serve exited: " + log.read())
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("pse-feedback serve did not report its port")


def make_browser(work):
    """Chromium with its profile and temporary files in `work`, removed with it (left to
    itself, Chromium leaves a singleton directory in /tmp)."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--ignore-certificate-errors", "--window-size=900,1300", "--lang=fr-CA",
                     "--user-data-dir=" + os.path.join(work, "chromium-profile")):
        options.add_argument(argument)
    service = Service("/usr/bin/chromedriver", env={**os.environ, "TMPDIR": work})
    return webdriver.Chrome(service=service, options=options)


def h1_says(text):
    """A wait condition: the page's h1 contains `text`. Read while a click or a key is replacing
    the page, the old h1 can vanish between finding it and reading it; chromedriver then
    answers with a plain WebDriverException ("Node with given id does not belong to the
    document"), which WebDriverWait does not ignore: here it means "not yet"."""
    def condition(driver):
        try:
            return text in driver.find_element(By.TAG_NAME, "h1").text
        except WebDriverException:
            return False
    return condition


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pse-feedback-e2e-") as work:
        pki = os.path.join(work, "pki")
        run(os.path.join(args.source, "certs/pse-pki"), "init", "--dir", pki)
        run(os.path.join(args.source, "certs/pse-pki"), "issue-server", "--dir", pki, "--name", "feedback")
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
""")
        run(args.binary, "keygen", "--config", config)
        link = run(args.binary, "issue-link", "--config", config, "--service", "saaq-permis-renouvellement",
                   "--transaction", "SAAQ-2026-000042").strip()
        token = link.rsplit("/f/", 1)[1]

        server, port = start_server(args.binary, config)
        browser = None
        try:
            url = f"https://localhost:{port}/f/{token}"
            browser = make_browser(work)
            wait = WebDriverWait(browser, 10)

            # Tab 1: the form, in French by default.
            browser.get(url)
            check(browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr", "the page is not in French")
            check("Votre avis sur le service" in browser.find_element(By.TAG_NAME, "h1").text, "no French title")
            check("Renouvellement du permis de conduire" in browser.page_source, "the service is not named")
            legends = [e.text for e in browser.find_elements(By.TAG_NAME, "legend")]
            check(any("Avez-vous obtenu ce dont vous aviez besoin?" in text for text in legends), f"legends: {legends}")
            first_tab = browser.current_window_handle

            # Tab 2: the same link, opened again before answering, switched to English.
            browser.switch_to.new_window("tab")
            browser.get(url)
            second_tab = browser.current_window_handle
            browser.find_element(By.LINK_TEXT, "English").click()
            wait.until(h1_says("Your opinion of the service"))
            check(browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "the switch did not give English")
            # Sent empty: every error is listed and tied to its field.
            browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".error-summary")))
            summary = browser.find_element(By.CSS_SELECTOR, ".error-summary").text
            check("Choose a rating from 1 to 5." in summary, f"summary: {summary}")
            check("Say whether you got what you needed." in summary, f"summary: {summary}")
            fieldset = browser.find_element(By.CSS_SELECTOR, "fieldset.rating")
            described = browser.find_element(By.ID, fieldset.get_attribute("aria-describedby")).text
            check(described == "Choose a rating from 1 to 5.", f"rating fieldset described by: {described}")
            check(browser.find_element(By.ID, "rating-1").get_attribute("aria-invalid") == "true", "no aria-invalid")
            browser.save_screenshot(os.path.join(args.out, "feedback-errors.png"))
            # Then filled in with the keyboard only: space selects a radio, arrows move in the group.
            browser.find_element(By.ID, "rating-1").send_keys(Keys.SPACE)
            browser.find_element(By.ID, "rating-1").send_keys(Keys.ARROW_DOWN)
            check(browser.find_element(By.ID, "rating-2").is_selected(), "the arrow key did not move to rating 2")
            browser.find_element(By.ID, "needed-no").send_keys(Keys.SPACE)
            check(browser.find_element(By.ID, "needed-no").is_selected(), "space did not select 'No'")

            # Answer in tab 1: clicking the labels (they are tied to their radios), typing a comment.
            browser.switch_to.window(first_tab)
            browser.find_element(By.CSS_SELECTOR, "label[for=rating-4]").click()
            browser.find_element(By.CSS_SELECTOR, "label[for=needed-yes]").click()
            check(browser.find_element(By.ID, "rating-4").is_selected(), "the label did not select rating 4")
            comment = browser.find_element(By.ID, "comment")
            comment.send_keys("Service rapide et courtois. Rappelez-moi au 514-555-1234 si besoin.")
            check(not browser.find_element(By.ID, "website").is_displayed(), "the honeypot is visible")
            browser.save_screenshot(os.path.join(args.out, "feedback-form.png"))
            browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            wait.until(h1_says("Merci de votre avis"))
            browser.save_screenshot(os.path.join(args.out, "feedback-confirmation.png"))

            # Tab 2: a second answer with the same link is refused.
            browser.switch_to.window(second_tab)
            browser.find_element(By.CSS_SELECTOR, "button[type=submit]").send_keys(Keys.ENTER)
            wait.until(h1_says("You have already answered"))
            browser.save_screenshot(os.path.join(args.out, "feedback-refused.png"))

            # The same link opened again later: refused, in French.
            browser.get(url)
            wait.until(h1_says("Vous avez déjà répondu"))
        finally:
            if browser is not None:
                browser.quit()
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()

        # One answer stored, its phone number masked before storage.
        report = json.loads(run(args.binary, "report", "--config", config, "--from", "2000-01-01", "--to", "2100-01-01"))
        services = report["services"]
        check(len(services) == 1 and services[0]["answers"] == 1, f"report: {report}")
        check(services[0]["mean_rating"] == 4 and services[0]["got_what_needed_rate"] == 1, f"report: {report}")
        page = run(args.binary, "report", "--config", config, "--from", "2000-01-01", "--to", "2100-01-01",
                   "--format", "html")
        check("[téléphone masqué]" in page and "514-555-1234" not in page, "the phone number was not masked")
    print("browser end-to-end test passed; screenshots in", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
