#!/usr/bin/python3
"""End-to-end test of the citizen's page in a real headless browser, against a real broker and
a real OpenID provider (oidc-provider under node, clients/pse-portal/idp).

A throw-away PKI (pse-pki) and platform keys (pse-audit keygen); the broker on SQLite; a consent
recorded for Alice by the consent authority through the broker's API; the provider with two
citizens, Alice and Bob; pse-portal. In Chromium (python3-selenium):
- Alice signs in at the provider, finds her consent, gives another one from the portal and gets
  its receipt, checked on the page and again by pse-receipt once downloaded, and revokes the
  first. Retraite Québec's next request is refused: the refusal is in her register, and its
  inclusion proof, downloaded, is checked by pse-audit.
- She sets her contact preferences (a wrong mobile number first, shown tied to its field);
  pse-notify's exchange for them then succeeds (the portal serves them as Services Québec's
  provider, under the consent saving gave), and that communication is in her register with its
  fields, basis and proof.
- She switches to English, gives Bob a mandate (her birth record, to confirm her identity) and
  signs out. Bob sees none of her file; he fails to act for her with a wrong file number, then
  acts for her within the mandate (a consent given in her name) and is refused outside it (the
  register, an offer forged into the form). He then gives a consent of his own with the
  keyboard alone.
Every page, forms with errors and refusals included, has no axe-core violation (WCAG 2.1 A and
AA). Last, the broker's answers to pse-notify, Retraite Québec and Bob's file without consent or
preferences. Screenshots land in --out. Bounded by ctest.

--ignore-certificate-errors is used only for the browser, whose servers' certificates come from
a CA made for this test alone; the portal checks the provider's and the broker's certificates.
"""
import argparse
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from axe_check import axe_violations, format_violations  # noqa: E402
from idp_process import start_idp, stop_idp, write_idp_config  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

ALICE = "QC-1957-0042"
BOB = "QC-1960-0007"
# What Alice saves in "Mes préférences", as the record pse-notify receives it.
SAVED_PREFERENCES = {"channel": "both", "email": "alice@example.org", "mobile": "+15145550123", "language": "fr",
                     "quiet_hours_start": "21:00", "quiet_hours_end": "08:00", "access_notices": "daily"}


def run(*command):
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"{command} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return result.stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, what, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def broker_config(source, work, pki, port, admin_port):
    """config/broker.yaml with this test's PKI, data directory and ports."""
    text = open(os.path.join(source, "config/broker.yaml")).read()
    text = text.replace("../certs/dev", pki).replace("../var/dev", os.path.join(work, "data"))
    for name in ("orgs.yaml", "classification.yaml", "policies.yaml"):
        text = re.sub(rf"(:\s*){name}", rf"\g<1>{os.path.join(source, 'config', name)}", text)
    text = text.replace("port: 8443", f"port: {port}").replace("port: 9090", f"port: {admin_port}")
    path = os.path.join(work, "broker.yaml")
    open(path, "w").write(text)
    return path


def registry_post(port, pki, org, path, body):
    context = ssl.create_default_context(cafile=os.path.join(pki, "ca.crt"))
    context.load_cert_chain(os.path.join(pki, f"orgs/{org}.crt"), os.path.join(pki, f"orgs/{org}.key"))
    request = urllib.request.Request(f"https://localhost:{port}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        return json.loads(answer.read())


def exchange(port, pki, org, body):
    """POST /v1/exchange as `org` (mutual TLS): (status, answer), refusals included."""
    try:
        return 200, registry_post(port, pki, org, "/v1/exchange", body)
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def make_browser(work):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--ignore-certificate-errors", "--window-size=1100,1300", "--lang=fr-CA",
                     "--user-data-dir=" + os.path.join(work, "chromium-profile")):
        options.add_argument(argument)
    service = Service("/usr/bin/chromedriver", env={**os.environ, "TMPDIR": work})
    return webdriver.Chrome(service=service, options=options)


def h1_says(text):
    def condition(driver):
        try:
            return text in driver.find_element(By.TAG_NAME, "h1").text
        except WebDriverException:
            return False
    return condition


def no_violations(browser, axe_js, page):
    violations = axe_violations(browser, axe_js)
    check(not violations, f"axe-core on {page}:\n{format_violations(violations)}")
    print(f"axe-core: no violation on {page}")


def sign_in(browser, wait, portal, login):
    browser.get(portal + "/")
    browser.find_element(By.LINK_TEXT, "Se connecter").click()
    wait.until(lambda driver: driver.find_elements(By.ID, "login"))
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys("mot-de-passe-" + login)
    browser.find_element(By.ID, "sign-in").click()
    wait.until(lambda driver: driver.current_url.startswith(portal) and "Connecté" in driver.page_source)


def set_preferences(browser, wait, axe_js, out):
    """Alice's "Mes préférences": a wrong mobile number is shown tied to its field, then fixed and saved."""
    browser.find_element(By.LINK_TEXT, "Mes préférences").click()
    wait.until(h1_says("Mes préférences"))
    check("vous consentez à ce que la Plateforme gouvernementale de notification les consulte" in browser.page_source,
          "the page does not say that saving consents")
    no_violations(browser, axe_js, "Mes préférences")
    browser.find_element(By.ID, "channel-both").click()
    browser.find_element(By.ID, "email").send_keys("alice@example.org")
    browser.find_element(By.ID, "mobile").send_keys("514-555")
    browser.find_element(By.ID, "quiet_hours_start").send_keys("21:00")
    browser.find_element(By.ID, "quiet_hours_end").send_keys("8 h")
    browser.find_element(By.ID, "access_notices-daily").click()
    browser.find_element(By.CSS_SELECTOR, "form.preferences button[type=submit]").click()
    wait.until(lambda driver: driver.find_elements(By.CSS_SELECTOR, ".error-summary"))

    summary_links = browser.find_elements(By.CSS_SELECTOR, ".error-summary a")
    check([link.get_attribute("href").split("#")[1] for link in summary_links] == ["mobile"],
          "the error summary does not link to the mobile number alone")
    mobile = browser.find_element(By.ID, "mobile")
    check(mobile.get_attribute("aria-invalid") == "true", "the mobile number is not marked invalid")
    described = mobile.get_attribute("aria-describedby").split()
    check("mobile-error" in described, "the mobile number is not described by its error")
    check("format international" in browser.find_element(By.ID, "mobile-error").text, "the error does not say what to do")
    check(mobile.get_attribute("value") == "514-555", "the wrong number is not shown again as typed")
    check(browser.find_element(By.ID, "access_notices-daily").is_selected(), "the other answers were lost")
    check(browser.title.startswith("Erreur"), "the title does not say there is an error")
    no_violations(browser, axe_js, "Mes préférences with an error")
    browser.save_screenshot(os.path.join(out, "portal-preferences-error.png"))

    mobile.clear()
    mobile.send_keys("+1 514 555 0123")
    browser.find_element(By.CSS_SELECTOR, "form.preferences button[type=submit]").click()
    wait.until(lambda driver: "Vos préférences sont enregistrées" in driver.page_source)
    check("ainsi que votre consentement" in browser.page_source, "the consent that comes with saving is not confirmed")
    check(browser.find_element(By.ID, "mobile").get_attribute("value") == "+15145550123", "the saved number is not shown")
    check(browser.find_element(By.ID, "quiet_hours_end").get_attribute("value") == "08:00", "the quiet hours are not shown")
    no_violations(browser, axe_js, "Mes préférences once saved")
    browser.save_screenshot(os.path.join(out, "portal-preferences.png"))

    browser.find_element(By.LINK_TEXT, "Mes consentements").click()
    wait.until(h1_says("Mes consentements"))
    row = next((tr for tr in browser.find_elements(By.CSS_SELECTOR, "tbody tr")
                if "Plateforme gouvernementale de notification" in tr.text), None)
    check(row is not None and "En vigueur" in row.text, "the consent given with the preferences is not listed in force")


def check_proof(browser, row, pki, work, build, what):
    """Downloads a register row's inclusion proof with the browser's session, and has pse-audit
    check it against the platform's public key."""
    proof_url = row.find_element(By.PARTIAL_LINK_TEXT, "Preuve").get_attribute("href")
    session = browser.get_cookie("__Host-pse-portal")["value"]
    context = ssl.create_default_context(cafile=os.path.join(pki, "ca.crt"))
    request = urllib.request.Request(proof_url, headers={"Cookie": "__Host-pse-portal=" + session})
    proof_file = os.path.join(work, "proof.json")
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        open(proof_file, "wb").write(answer.read())
    checked = subprocess.run([os.path.join(build, "clients/pse-audit/pse-audit"), "check-proof", "--proof", proof_file,
                              "--public-key", os.path.join(pki, "keys/audit-signing.pub")],
                             capture_output=True, text=True, timeout=10)
    check(checked.returncode == 0, f"pse-audit refused {what}'s proof: {checked.stdout}{checked.stderr}")
    print(f"{what}'s inclusion proof checks")


def keyboard_only(browser, wait):
    """Bob gives a consent with the keyboard alone: the skip link first, then Tab and Enter
    through the navigation, the offer's duration and its button."""
    def tab_to(predicate, what, limit=40):
        for _ in range(limit):
            browser.switch_to.active_element.send_keys(Keys.TAB)
            if predicate(browser.switch_to.active_element):
                return browser.switch_to.active_element
        raise AssertionError(f"Tab never reached {what}")

    browser.get(browser.current_url.split("/", 3)[0] + "//" + browser.current_url.split("/", 3)[2] + "/")
    wait.until(h1_says("Mon dossier"))
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    check(browser.switch_to.active_element.text == "Aller au contenu", "the first Tab does not reach the skip link")
    tab_to(lambda element: element.text == "Donner un consentement", "« Donner un consentement »").send_keys(Keys.ENTER)
    wait.until(h1_says("Donner un consentement"))
    duration = tab_to(lambda element: element.tag_name == "select", "an offer's duration")
    duration.send_keys(Keys.ARROW_UP)  # 12 months → 6
    tab_to(lambda element: element.text == "Donner mon consentement", "the offer's button").send_keys(Keys.ENTER)
    wait.until(lambda driver: "Votre consentement est enregistré" in driver.page_source)
    print("keyboard only: skip link, navigation, an offer's duration and button")


def give_mandate_to_bob(browser, wait, axe_js, out):
    """Alice gives Bob a mandate for her birth record, to confirm her identity, for 3 months."""
    if browser.find_elements(By.LINK_TEXT, "Français"):
        browser.find_element(By.LINK_TEXT, "Français").click()
        wait.until(lambda driver: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr")
    browser.find_element(By.LINK_TEXT, "Mes procurations").click()
    wait.until(h1_says("Mes procurations"))
    no_violations(browser, axe_js, "Mes procurations")
    browser.find_element(By.ID, "mandataire").send_keys(BOB)
    for name in ("c:identity.birth", "p:identity_verification"):
        browser.find_element(By.CSS_SELECTOR, f"input[name='{name}']").click()
    Select(browser.find_element(By.ID, "duree-procuration")).select_by_value("3")
    browser.find_element(By.XPATH, "//button[text()='Donner la procuration']").click()
    wait.until(lambda driver: "La procuration est donnée" in driver.page_source)
    check("votre acte de naissance" in browser.page_source and "En vigueur" in browser.page_source,
          "the mandate given is not listed in force")
    browser.save_screenshot(os.path.join(out, "portal-mandates.png"))


def act_for_alice(browser, wait, axe_js, out):
    """Bob acts for Alice: her file number must match the mandate; then her consents within its
    scope only, a consent given in her name, and refusals outside the mandate."""
    browser.find_element(By.LINK_TEXT, "Mes procurations").click()
    wait.until(h1_says("Mes procurations"))
    row = next(tr for tr in browser.find_elements(By.CSS_SELECTOR, "tbody tr") if "Agir" in tr.text)
    row.find_element(By.NAME, "mandator").send_keys("QC-0000-0000")
    row.find_element(By.TAG_NAME, "button").click()
    wait.until(h1_says("Impossible d'agir pour cette personne"))
    browser.find_element(By.LINK_TEXT, "Mes procurations").click()
    wait.until(h1_says("Mes procurations"))
    row = next(tr for tr in browser.find_elements(By.CSS_SELECTOR, "tbody tr") if "Agir" in tr.text)
    row.find_element(By.NAME, "mandator").send_keys(ALICE)
    row.find_element(By.TAG_NAME, "button").click()
    wait.until(lambda driver: "Vous agissez pour le dossier" in driver.page_source and h1_says("Mes consentements")(driver))
    check("Aide financière aux études" not in browser.page_source, "Bob sees a consent of Alice's outside the mandate")
    no_violations(browser, axe_js, "Mes consentements while acting for someone")
    browser.save_screenshot(os.path.join(out, "portal-acting.png"))

    browser.find_element(By.LINK_TEXT, "Donner un consentement").click()
    wait.until(h1_says("Donner un consentement"))
    forms = browser.find_elements(By.CSS_SELECTOR, "form.offer")
    check(len(forms) == 1 and "confirmer votre identité" in forms[0].text,
          f"the offers are not kept to the mandate: {[form.text for form in forms]}")
    forms[0].find_element(By.TAG_NAME, "button").click()
    wait.until(lambda driver: "Votre consentement est enregistré" in driver.page_source)
    check("Reçu vérifié" in browser.page_source, "the receipt of the consent given for Alice is not checked")

    # Outside the mandate: the register is closed, and an offer outside its scope is refused.
    browser.get(browser.current_url.split("/consentements")[0] + "/acces")
    wait.until(h1_says("Hors de votre procuration"))
    no_violations(browser, axe_js, "the refusal outside a mandate")
    browser.find_element(By.LINK_TEXT, "Donner un consentement").click()
    wait.until(h1_says("Donner un consentement"))
    offer = browser.find_element(By.CSS_SELECTOR, "form.offer input[name='offer']")
    browser.execute_script("arguments[0].value = 'afe-income-2024/student_aid_eligibility'", offer)
    browser.find_element(By.CSS_SELECTOR, "form.offer button").click()
    wait.until(lambda driver: "ne peut pas être donné sous votre procuration" in driver.page_source)

    browser.find_element(By.CSS_SELECTOR, "form.acting button").click()
    wait.until(lambda driver: "Vous n'agissez plus pour cette personne" in driver.page_source)


def sign_out(browser, wait, portal):
    browser.find_element(By.CSS_SELECTOR, "form.signout button").click()
    # The provider asks to confirm the end of its own session, then comes back.
    wait.until(lambda driver: driver.find_elements(By.ID, "logout-yes") or driver.current_url == portal + "/")
    if browser.find_elements(By.ID, "logout-yes"):
        browser.find_element(By.ID, "logout-yes").click()
    wait.until(lambda driver: driver.current_url.startswith(portal) and "Se connecter" in driver.page_source)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    pse_pki = os.path.join(args.source, "certs/pse-pki")
    axe_js = os.path.join(args.source, "tests/clients/pse-portal/browser/node_modules/axe-core/axe.min.js")
    processes = []

    with tempfile.TemporaryDirectory(prefix="pse-portal-e2e-") as work:
        try:
            pki = os.path.join(work, "pki")
            run(pse_pki, "init", "--dir", pki)
            for server in ("broker", "portal", "idp"):
                run(pse_pki, "issue-server", "--dir", pki, "--name", server, "--dns", "localhost", "--ip", "127.0.0.1")
            for org in ("services-quebec", "retraite-quebec", "pse-notify"):
                run(pse_pki, "issue-org", "--dir", pki, "--org", org)
            run(os.path.join(args.build, "clients/pse-audit/pse-audit"), "keygen", "--dir", os.path.join(pki, "keys"))
            for name, command in (("queue-q1.key", "-base64"), ("admin.token", "-hex")):
                with open(os.path.join(pki, "keys", name), "w") as key:
                    key.write(run("openssl", "rand", command, "32"))
                os.chmod(os.path.join(pki, "keys", name), 0o600)
            os.makedirs(os.path.join(work, "data"))

            broker_port, admin_port, portal_port = free_port(), free_port(), free_port()
            config = broker_config(args.source, work, pki, broker_port, admin_port)
            broker_log = open(os.path.join(work, "broker.log"), "w+")
            broker = subprocess.Popen([os.path.join(args.build, "broker/pse-broker"), "--config", config],
                                      stdout=broker_log, stderr=broker_log)
            processes.append(broker)

            def broker_ready():
                if broker.poll() is not None:
                    broker_log.seek(0)
                    raise RuntimeError("the broker exited: " + broker_log.read())
                try:
                    return urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/readyz", timeout=1).status == 200
                except OSError:
                    return False
            wait_for(broker_ready, "the broker")

            consent = registry_post(broker_port, pki, "services-quebec", "/v1/consents", {
                "subject": ALICE, "provider": "etat-civil", "consumer": "retraite-quebec",
                "categories": ["identity.birth"],
                "purpose": {"code": "pension_eligibility", "fr": "Vérifier l'admissibilité à la rente",
                            "en": "Check pension eligibility"},
                "notice": {"reference": "AVIS-RQ-2026-03", "version": "1.2", "language": "fr"},
                "collection_method": "web-form", "expires_at": "2027-06-30T00:00:00Z"})["consent"]
            print("consent", consent["id"], "recorded for Alice")

            portal = f"https://127.0.0.1:{portal_port}"
            secret = run("openssl", "rand", "-hex", "32").strip()
            idp_config = os.path.join(work, "idp.json")
            write_idp_config(idp_config, os.path.join(pki, "servers/idp.crt"), os.path.join(pki, "servers/idp.key"),
                             [{"client_id": "pse-portal", "client_secret": secret,
                               "redirect_uris": [portal + "/auth/callback"],
                               "post_logout_redirect_uris": [portal + "/"]}],
                             [{"login": "alice", "password": "mot-de-passe-alice", "subject": ALICE,
                               "name": "Alice Tremblay", "email": "alice@example.org"},
                              {"login": "bob", "password": "mot-de-passe-bob", "subject": BOB,
                               "name": "Bob Gagnon", "email": "bob@example.org"}])
            idp, _, issuer = start_idp(os.path.join(args.source, "clients/pse-portal/idp"), idp_config,
                                       os.path.join(work, "idp.log"))
            processes.append(idp)

            with open(os.path.join(work, "client.secret"), "w") as out:
                out.write(secret)
            os.chmod(os.path.join(work, "client.secret"), 0o600)
            portal_config = os.path.join(work, "portal.yaml")
            with open(portal_config, "w") as out:
                out.write(f"""listen: {{address: 127.0.0.1, port: {portal_port}}}
public_url: {portal}
tls: {{certificate: {pki}/servers/portal.crt, key: {pki}/servers/portal.key}}
oidc:
  issuer: {issuer}
  client_id: pse-portal
  client_secret_file: {work}/client.secret
  ca: {pki}/ca.crt
  subject_claim: pse_subject
  scope: openid profile pse
policy_dir: {args.source}/config
words: {args.source}/config/portal/words.yaml
receipt_key: {pki}/keys/audit-signing.pub
preferences_db: {work}/preferences.db
broker:
  host: localhost
  port: {broker_port}
  ca: {pki}/ca.crt
  certificate: {pki}/orgs/services-quebec.crt
  key: {pki}/orgs/services-quebec.key
""")
            portal_log = open(os.path.join(work, "portal.log"), "w+")
            portal_process = subprocess.Popen([os.path.join(args.build, "clients/pse-portal/pse-portal"), "serve",
                                               "--config", portal_config], stdout=portal_log, stderr=portal_log)
            processes.append(portal_process)

            def portal_listening():
                portal_log.seek(0)
                text = portal_log.read()
                if portal_process.poll() is not None:
                    raise RuntimeError("pse-portal exited: " + text)
                return '"msg":"listening"' in text
            wait_for(portal_listening, "pse-portal")
            portal_log.seek(0)
            check("serving contact.preferences to the broker" in portal_log.read(),
                  "the portal is not serving contact.preferences to the broker")

            browser = make_browser(work)
            try:
                wait = WebDriverWait(browser, 15)
                browser.get(portal + "/")
                check(browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr", "not French first")
                no_violations(browser, axe_js, "the welcome page")
                browser.save_screenshot(os.path.join(args.out, "portal-welcome.png"))

                sign_in(browser, wait, portal, "alice")
                check("Alice Tremblay" in browser.page_source, "Alice is not greeted")
                no_violations(browser, axe_js, "the home page")

                browser.find_element(By.LINK_TEXT, "Mes consentements").click()
                wait.until(h1_says("Mes consentements"))
                check("Retraite Québec" in browser.page_source and "En vigueur" in browser.page_source,
                      "Alice's consent is not listed in force")
                no_violations(browser, axe_js, "Mes consentements")
                browser.save_screenshot(os.path.join(args.out, "portal-consents.png"))

                browser.find_element(By.LINK_TEXT, "Donner un consentement").click()
                wait.until(h1_says("Donner un consentement"))
                check("vérifier votre admissibilité à la rente de retraite" in browser.page_source, "the offers are not in plain words")
                no_violations(browser, axe_js, "Donner un consentement")
                browser.save_screenshot(os.path.join(args.out, "portal-give.png"))
                offer = next(form for form in browser.find_elements(By.CSS_SELECTOR, "form.offer")
                             if "Aide financière aux études" in form.text and "avis de cotisation" in form.text)
                offer.find_element(By.TAG_NAME, "button").click()
                wait.until(lambda driver: "Votre consentement est enregistré" in driver.page_source)
                check("Reçu vérifié" in browser.page_source, "the receipt is not shown checked")
                no_violations(browser, axe_js, "the receipt page")
                browser.save_screenshot(os.path.join(args.out, "portal-receipt.png"))
                # The download, with the browser's session, checked by the platform's own tool.
                session = browser.get_cookie("__Host-pse-portal")["value"]
                context = ssl.create_default_context(cafile=os.path.join(pki, "ca.crt"))
                download = urllib.request.Request(portal + "/consentements/recu.jws",
                                                  headers={"Cookie": "__Host-pse-portal=" + session})
                with urllib.request.urlopen(download, context=context, timeout=10) as answer:
                    receipt = answer.read()
                verified = subprocess.run([os.path.join(args.build, "clients/pse-receipt/pse-receipt"), "verify", "--key",
                                           os.path.join(pki, "keys/audit-signing.pub"), "-"],
                                          input=receipt, capture_output=True, timeout=10)
                check(verified.returncode == 0, f"pse-receipt refused the downloaded receipt: {verified.stderr!r}")
                check(b"student_aid_eligibility" in verified.stdout, "the receipt is not the consent just given")

                browser.find_element(By.LINK_TEXT, "Mes consentements").click()
                wait.until(h1_says("Mes consentements"))
                row = next(tr for tr in browser.find_elements(By.CSS_SELECTOR, "tbody tr") if "Retraite Québec" in tr.text)
                row.find_element(By.TAG_NAME, "button").click()
                wait.until(lambda driver: "Le consentement est révoqué" in driver.page_source)
                check("Reçu vérifié" in browser.page_source, "the revocation's receipt is not shown checked")
                browser.find_element(By.LINK_TEXT, "Mes consentements").click()
                wait.until(h1_says("Mes consentements"))
                check("Révoqué" in browser.page_source, "the consent is not shown revoked")
                no_violations(browser, axe_js, "Mes consentements after a revocation")

                # Retraite Québec asks again: the revocation holds, and the refusal is in Alice's register.
                status, answer = exchange(broker_port, pki, "retraite-quebec", {
                    "subject": ALICE, "provider": "etat-civil", "category": "identity.birth",
                    "purpose": "pension_eligibility", "fields": ["birth_date"]})
                check(status == 403 and answer["error"]["code"] == "consent_revoked",
                      f"the revoked consent still held: {status} {answer}")
                browser.find_element(By.LINK_TEXT, "Qui a consulté mes renseignements").click()
                wait.until(h1_says("Qui a consulté mes renseignements"))
                check("Services Québec" in browser.page_source and "vos consentements" in browser.page_source,
                      "the register does not show the reads of Alice's consents")
                refused = next((tr for tr in browser.find_elements(By.CSS_SELECTOR, "tbody tr")
                                if "vous aviez révoqué votre consentement" in tr.text), None)
                check(refused is not None and "Retraite Québec" in refused.text,
                      "the register does not show Retraite Québec's refused request")
                no_violations(browser, axe_js, "Qui a consulté mes renseignements")
                browser.save_screenshot(os.path.join(args.out, "portal-register.png"))
                check_proof(browser, refused, pki, work, args.build, "the refusal")

                set_preferences(browser, wait, axe_js, args.out)
                # An exchange that succeeds: pse-notify reads Alice's preferences (served by the portal)
                # under the consent saving them gave; it is in her register, with its proof.
                status, answer = exchange(broker_port, pki, "pse-notify", {
                    "subject": ALICE, "provider": "services-quebec", "category": "contact.preferences",
                    "purpose": "citizen_notification", "fields": ["channel", "mobile"]})
                check(status == 200, f"pse-notify's exchange for Alice was refused: {status} {answer}")
                browser.find_element(By.LINK_TEXT, "Qui a consulté mes renseignements").click()
                wait.until(h1_says("Qui a consulté mes renseignements"))
                received = next((tr for tr in browser.find_elements(By.CSS_SELECTOR, "tbody tr")
                                 if "Plateforme gouvernementale de notification" in tr.text), None)
                check(received is not None and "vos préférences de communication" in received.text
                      and "cellulaire" in received.text and "votre consentement" in received.text,
                      "the register does not show pse-notify's exchange with its fields and basis")
                check_proof(browser, received, pki, work, args.build, "the communication")

                browser.find_element(By.LINK_TEXT, "Qui a consulté mes renseignements").click()
                wait.until(h1_says("Qui a consulté mes renseignements"))
                browser.find_element(By.LINK_TEXT, "English").click()
                wait.until(h1_says("Who used my information"))
                check(browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "the switch is not English")
                no_violations(browser, axe_js, "the register in English")

                give_mandate_to_bob(browser, wait, axe_js, args.out)
                sign_out(browser, wait, portal)
                browser.get(portal + "/consentements")
                wait.until(lambda driver: driver.find_elements(By.ID, "login"))  # signed out: the provider asks again

                sign_in(browser, wait, portal, "bob")
                browser.get(portal + "/consentements")
                wait.until(h1_says("Mes consentements"))
                check("Retraite Québec" not in browser.page_source and "aucun consentement" in browser.page_source,
                      "Bob sees a consent that is not his")
                browser.find_element(By.LINK_TEXT, "Mes préférences").click()
                wait.until(h1_says("Mes préférences"))
                check(browser.find_element(By.ID, "email").get_attribute("value") == "",
                      "Bob sees Alice's preferences")
                act_for_alice(browser, wait, axe_js, args.out)
                keyboard_only(browser, wait)
                print("Alice signed in, gave a consent and checked its receipt, revoked another, found the reads in her register, "
                      "saved her preferences and gave Bob a mandate; Bob saw none of her file, then acted for her within "
                      "the mandate and was refused outside it")
            except Exception:
                print("page at the failure:", browser.current_url, browser.page_source[:3000], file=sys.stderr)
                raise
            finally:
                browser.quit()

            # pse-notify's way to Alice's preferences: the broker checks the rule and the consent
            # the page recorded, and asks the portal, Services Québec's provider of the category.
            status, answer = exchange(broker_port, pki, "pse-notify", {
                "subject": ALICE, "provider": "services-quebec", "category": "contact.preferences",
                "purpose": "citizen_notification"})
            check(status == 200, f"pse-notify's exchange for Alice was refused: {status} {answer}")
            check(answer.get("record") == SAVED_PREFERENCES, f"the broker returned another record: {answer}")
            # Nothing else: not for another purpose (the consent is for notices only), not about
            # Bob (no consent of his), not to another body (no rule).
            status, answer = exchange(broker_port, pki, "pse-notify", {
                "subject": ALICE, "provider": "services-quebec", "category": "contact.preferences",
                "purpose": "service_suggestions"})
            check(status == 403, f"an exchange for another purpose was not refused: {status} {answer}")
            status, answer = exchange(broker_port, pki, "pse-notify", {
                "subject": BOB, "provider": "services-quebec", "category": "contact.preferences",
                "purpose": "citizen_notification"})
            check(status == 403, f"an exchange about Bob, who gave no consent, was not refused: {status} {answer}")
            # With a consent but no preferences saved, the portal has no record of Bob.
            registry_post(broker_port, pki, "services-quebec", "/v1/consents", {
                "subject": BOB, "provider": "services-quebec", "consumer": "pse-notify",
                "categories": ["contact.preferences"],
                "purpose": {"code": "citizen_notification", "fr": "Avis", "en": "Notices"},
                "notice": {"reference": "AVIS-SQ", "version": "1", "language": "fr"},
                "collection_method": "web-form", "expires_at": "2027-06-30T00:00:00Z"})
            status, answer = exchange(broker_port, pki, "pse-notify", {
                "subject": BOB, "provider": "services-quebec", "category": "contact.preferences",
                "purpose": "citizen_notification"})
            check(status == 404 and "record_not_found" in json.dumps(answer),
                  f"Bob, who saved no preferences, is not record_not_found: {status} {answer}")
            status, answer = exchange(broker_port, pki, "retraite-quebec", {
                "subject": ALICE, "provider": "services-quebec", "category": "contact.preferences",
                "purpose": "citizen_notification"})
            check(status == 403, f"another body received Alice's preferences: {status} {answer}")
            print("pse-notify received Alice's saved preferences through the broker; another purpose, another body "
                  "and Bob without consent were refused, and Bob without preferences is record_not_found")
        except Exception:
            # What the servers said, for whoever reads the failure.
            for name in ("portal.log", "idp.log", "broker.log"):
                path = os.path.join(work, name)
                if os.path.exists(path):
                    print(f"--- {name} ---\n" + open(path).read()[-4000:], file=sys.stderr)
            raise
        finally:
            for process in reversed(processes):
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()


if __name__ == "__main__":
    main()
