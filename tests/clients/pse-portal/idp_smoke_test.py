#!/usr/bin/python3
"""Smoke test of the test OpenID provider (clients/pse-portal/idp), standard library only.

Makes a throw-away CA and server certificate with certs/pse-pki, starts the provider on an
ephemeral port, and runs by hand, over HTTPS checked against that CA, what the portal will do:
discovery, the authorization code flow with PKCE through the provider's own login form (a
wrong password and an unknown login refused alike, then the right one), the code exchanged
with client_secret_basic and the code_verifier, the ID token's RS256 signature checked with
`openssl dgst` against the key published at jwks_uri, its claims, userinfo, and RP-initiated
logout. Also refused: a request without PKCE or with the plain method, a token request
without or with a wrong verifier, a wrong client secret, a code used twice (which also revokes
the access token issued with it), and configurations with an unknown or a missing key.
Prints each check; exits non-zero on the first failure; bounded to 55 s.
"""
import argparse
import base64
import hashlib
import http.cookiejar
import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idp_process import start_idp, stop_idp, write_idp_config  # noqa: E402

CLIENT_ID = "pse-portal"
CLIENT_SECRET = "portal-secret-" + secrets.token_urlsafe(16)
REDIRECT_URI = "https://127.0.0.1:8443/auth/callback"
POST_LOGOUT_URI = "https://127.0.0.1:8443/"
ACCOUNT = {"login": "alice", "password": "correct horse battery", "subject": "QC-1957-0042",
           "name": "Alice Tremblay", "email": "alice@example.org"}
SCOPE = "openid profile email pse"
TIME_LIMIT = 55


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)
    print(f"ok: {message}")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def run(*command):
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"{command} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return result.stdout


# ---------------------------------------------------------------------------------------------
# HTTP: a cookie-keeping client that does not follow redirects, so that each hop is seen.

class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    @property
    def location(self):
        return self.headers.get("Location")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    def __init__(self, ca_file):
        self.context = ssl.create_default_context(cafile=ca_file)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=self.context),
            urllib.request.HTTPCookieProcessor(self.cookies),
            NoRedirect())

    def request(self, method, url, form=None, headers=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with self.opener.open(request, timeout=10) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, error.headers, error.read())

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post(self, url, form, **kw):
        return self.request("POST", url, form=form, **kw)

    def follow(self, response, base, stop_prefix, limit=10):
        """Follows redirects from `response` until one points at stop_prefix (returned, not
        followed) or a non-redirect answer (returned)."""
        for _ in range(limit):
            if response.status not in (301, 302, 303, 307, 308):
                return None, response
            target = urllib.parse.urljoin(base, response.location)
            if target.startswith(stop_prefix):
                return target, response
            base = target
            response = self.get(target)
        raise CheckFailed(f"more than {limit} redirects")


# ---------------------------------------------------------------------------------------------
# The ID token's signature, checked by openssl against a PEM built from the JWK.

def der_length(n):
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def der(tag, content):
    return bytes([tag]) + der_length(len(content)) + content


def der_integer(value):
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    if raw[0] & 0x80:
        raw = b"\x00" + raw  # DER integers are signed: keep the modulus positive
    return der(0x02, raw)


def rsa_jwk_to_pem(jwk):
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    rsa_public_key = der(0x30, der_integer(n) + der_integer(e))
    rsa_encryption = der(0x30, der(0x06, bytes.fromhex("2a864886f70d010101")) + der(0x05, b""))
    spki = der(0x30, rsa_encryption + der(0x03, b"\x00" + rsa_public_key))
    body = base64.encodebytes(spki).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def rs256_verifies(pem_file, signed_part, signature, work):
    data_file = os.path.join(work, "signed.txt")
    signature_file = os.path.join(work, "signature.bin")
    with open(data_file, "wb") as out:
        out.write(signed_part)
    with open(signature_file, "wb") as out:
        out.write(signature)
    result = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pem_file, "-signature", signature_file,
                             data_file], capture_output=True, text=True, timeout=10)
    return result.returncode == 0 and "Verified OK" in result.stdout


# ---------------------------------------------------------------------------------------------

def pkce_pair():
    verifier = b64url(secrets.token_bytes(32))
    challenge = b64url(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge


def authorization_url(endpoint, state, nonce, challenge, method="S256"):
    params = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
              "scope": SCOPE, "state": state, "nonce": nonce}
    if challenge is not None:
        params["code_challenge"] = challenge
        params["code_challenge_method"] = method
    return endpoint + "?" + urllib.parse.urlencode(params)


def callback_params(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def basic_auth(client_id, secret):
    # RFC 6749 section 2.3.1: both are form-urlencoded before being joined and encoded.
    raw = f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(secret, safe='')}"
    return {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}


def token_request(browser, endpoint, code, verifier, secret=CLIENT_SECRET):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    if verifier is not None:
        form["code_verifier"] = verifier
    return browser.post(endpoint, form, headers=basic_auth(CLIENT_ID, secret))


def check_config_errors(source, idp_dir, work, cert, key):
    """A configuration with an unknown or a missing key is refused with exit status 2."""
    base = {"host": "127.0.0.1", "port": 0, "certificate": cert, "key": key,
            "clients": [{"client_id": CLIENT_ID, "client_secret": "x", "redirect_uris": [REDIRECT_URI]}],
            "accounts": [dict(ACCOUNT)]}
    unknown = dict(base, listen="127.0.0.1")
    missing_account_key = json.loads(json.dumps(base))
    del missing_account_key["accounts"][0]["subject"]
    for name, config, expected in (("an unknown key", unknown, "unknown key 'listen'"),
                                   ("a missing key", missing_account_key, "missing key 'subject'")):
        path = os.path.join(work, "bad.json")
        with open(path, "w") as out:
            json.dump(config, out)
        result = subprocess.run(["node", os.path.join(idp_dir, "idp.mjs"), "--config", path],
                                capture_output=True, text=True, timeout=15)
        check(result.returncode == 2 and expected in result.stderr and result.stdout == "",
              f"a configuration with {name} is refused with exit status 2 ({expected})")


def smoke(source, work):
    idp_dir = os.path.join(source, "clients/pse-portal/idp")
    pki = os.path.join(work, "pki")
    run(os.path.join(source, "certs/pse-pki"), "init", "--dir", pki)
    run(os.path.join(source, "certs/pse-pki"), "issue-server", "--dir", pki, "--name", "idp", "--ip", "127.0.0.1")
    ca = os.path.join(pki, "ca.crt")
    cert, key = os.path.join(pki, "servers/idp.crt"), os.path.join(pki, "servers/idp.key")

    check_config_errors(source, idp_dir, work, cert, key)

    config = write_idp_config(os.path.join(work, "idp.json"), cert, key,
                              clients=[{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                                        "redirect_uris": [REDIRECT_URI],
                                        "post_logout_redirect_uris": [POST_LOGOUT_URI]}],
                              accounts=[ACCOUNT])
    log_path = os.path.join(work, "idp.log")
    process, port, issuer = start_idp(idp_dir, config, log_path)
    try:
        check(issuer == f"https://127.0.0.1:{port}", f"the provider listens on port {port} with issuer {issuer}")
        flow(Browser(ca), issuer, work)
    except BaseException:
        with open(log_path) as log:
            print("--- provider log ---\n" + log.read() + "--- end of provider log ---", file=sys.stderr)
        raise
    finally:
        status = stop_idp(process)
    check(status == 0, "the provider stops cleanly on SIGTERM (exit status 0)")


def flow(browser, issuer, work):
    # Discovery, over HTTPS checked against the test CA.
    discovery = browser.get(issuer + "/.well-known/openid-configuration")
    check(discovery.status == 200, "discovery answers 200 over HTTPS verified against the test CA")
    meta = discovery.json()
    check(meta["issuer"] == issuer, "discovery's issuer is the URL the provider listens on")
    check(meta["response_types_supported"] == ["code"], "only the code response type is offered")
    check(meta["code_challenge_methods_supported"] == ["S256"], "PKCE: only S256 is offered")
    check(meta["token_endpoint_auth_methods_supported"] == ["client_secret_basic"], "only client_secret_basic is offered")
    check(meta["id_token_signing_alg_values_supported"] == ["RS256"], "ID tokens are signed RS256 only")
    check(set(SCOPE.split()) <= set(meta["scopes_supported"]), f"scopes {SCOPE} are supported")
    check("pse_subject" in meta["claims_supported"], "the pse_subject claim is supported")
    check(meta.get("end_session_endpoint", "").startswith(issuer), "RP-initiated logout has an end_session_endpoint")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        check(meta[endpoint].startswith(issuer + "/"), f"{endpoint} is under the issuer")

    # PKCE is required, with S256 only: such requests come back to the client as errors.
    for what, challenge, method in (("without code_challenge", None, None),
                                    ("with the plain method", b64url(secrets.token_bytes(32)), "plain")):
        state = secrets.token_urlsafe(16)
        response = browser.get(authorization_url(meta["authorization_endpoint"], state, "n", challenge, method or "S256"))
        target, _ = browser.follow(response, meta["authorization_endpoint"], REDIRECT_URI)
        params = callback_params(target or "")
        check(params.get("error") == "invalid_request" and params.get("state") == state and "code" not in params,
              f"an authorization request {what} is refused (invalid_request back to the client)")

    # The authorization request, then the provider's login form.
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    response = browser.get(authorization_url(meta["authorization_endpoint"], state, nonce, challenge))
    check(response.status in (302, 303), f"the authorization endpoint redirects to the login page ({response.status})")
    target, form_page = browser.follow(response, meta["authorization_endpoint"], REDIRECT_URI)
    check(target is None and form_page.status == 200, "the login page answers 200")
    html = form_page.text
    check('<html lang="fr">' in html, "the login page is in French (lang=fr)")
    for fragment in ('id="login"', 'id="password"', 'id="sign-in"', ">Identifiant<", ">Mot de passe<", ">Se connecter<"):
        check(fragment in html, f"the login page has {fragment}")
    check("<script" not in html.lower(), "the login page has no script")
    csp = form_page.headers.get("Content-Security-Policy", "")
    check("default-src 'none'" in csp, f"the login page has a strict Content-Security-Policy ({csp})")
    action = html.split('<form method="post" action="', 1)[1].split('"', 1)[0]
    login_url = urllib.parse.urljoin(issuer, action)
    check(action.startswith("/interaction/") and action.endswith("/login"), f"the form posts to {action}")

    # Refusals: a wrong password and an unknown login get the same answer.
    wrong = browser.post(login_url, {"login": ACCOUNT["login"], "password": "wrong password"})
    unknown = browser.post(login_url, {"login": "mallory", "password": ACCOUNT["password"]})
    check(wrong.status == 401 and 'id="password"' in wrong.text, "a wrong password is refused (401) and the form shown again")
    message = "Identifiant ou mot de passe incorrect."
    check(message in wrong.text and message in unknown.text and unknown.status == 401,
          "an unknown login gets the same refusal, which does not say which of the two was wrong")
    empty = browser.post(login_url, {"login": "", "password": ""})
    check(empty.status == 400 and 'id="login"' in empty.text, "an empty form is refused (400) and shown again")

    # The right password: redirects, with the provider's cookies, back to the client.
    response = browser.post(login_url, {"login": ACCOUNT["login"], "password": ACCOUNT["password"]})
    check(response.status in (302, 303), f"the right password is accepted ({response.status})")
    target, last = browser.follow(response, login_url, REDIRECT_URI)
    check(target is not None, f"the flow ends with a redirect to redirect_uri (last answer {last.status})")
    params = callback_params(target)
    check(params.get("state") == state, "the callback carries the same state")
    check(params.get("iss") == issuer, "the callback carries iss (RFC 9207)")
    check(bool(params.get("code")), "the callback carries a code")
    code = params["code"]

    token_endpoint = meta["token_endpoint"]
    # Without the verifier, with a wrong one, with a wrong secret: refused.
    response = token_request(browser, token_endpoint, code, None)
    check(response.status == 400 and response.json().get("error") == "invalid_grant",
          "a token request without code_verifier is refused (invalid_grant)")
    response = token_request(browser, token_endpoint, code, pkce_pair()[0])
    check(response.status == 400 and response.json().get("error") == "invalid_grant",
          "a token request with a wrong code_verifier is refused (invalid_grant)")
    response = token_request(browser, token_endpoint, code, verifier, secret="not-the-secret")
    check(response.status == 401 and response.json().get("error") == "invalid_client",
          "a token request with a wrong client secret is refused (invalid_client)")

    # A fresh code (the session and the grant now exist: no login form) for the exchange itself,
    # so that it does not depend on what the refused requests did to the first one.
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    response = browser.get(authorization_url(meta["authorization_endpoint"], state, nonce, challenge))
    target, last = browser.follow(response, meta["authorization_endpoint"], REDIRECT_URI)
    check(target is not None, "with a session, a new authorization request goes straight back to the client")
    params = callback_params(target)
    check(params.get("state") == state and params.get("code"), "it carries the new state and a code")
    code = params["code"]

    response = token_request(browser, token_endpoint, code, verifier)
    check(response.status == 200, f"the code and its verifier give tokens ({response.status} {response.text[:200]})")
    tokens = response.json()
    check(tokens.get("token_type") == "Bearer" and tokens.get("access_token") and tokens.get("id_token"),
          "the answer has a Bearer access token and an ID token")
    check(response.headers.get("Cache-Control", "").startswith("no-store"), "the token answer is not cached")

    # The ID token: RS256 with a published key, signature verified, then its claims.
    id_token = tokens["id_token"]
    header_b64, payload_b64, signature_b64 = id_token.split(".")
    header = json.loads(b64url_decode(header_b64))
    claims = json.loads(b64url_decode(payload_b64))
    check(header.get("alg") == "RS256", "the ID token header says RS256")
    jwks = browser.get(meta["jwks_uri"]).json()
    jwk = next((k for k in jwks["keys"] if k.get("kid") == header.get("kid")), None)
    check(jwk is not None and jwk["kty"] == "RSA", f"its kid {header.get('kid')} is an RSA key of the JWKS")
    check(not any(private in jwk for private in ("d", "p", "q", "dp", "dq", "qi")), "the JWKS publishes no private part")
    pem = os.path.join(work, "idtoken-key.pem")
    with open(pem, "w") as out:
        out.write(rsa_jwk_to_pem(jwk))
    signed_part = f"{header_b64}.{payload_b64}".encode()
    signature = b64url_decode(signature_b64)
    check(rs256_verifies(pem, signed_part, signature, work), "the RS256 signature verifies (openssl dgst -sha256 -verify)")
    tampered = json.dumps(dict(claims, pse_subject="QC-0000-0000")).encode()
    check(not rs256_verifies(pem, f"{header_b64}.{b64url(tampered)}".encode(), signature, work),
          "the same signature does not verify a changed payload")
    now = time.time()
    check(claims.get("iss") == issuer, "iss is the issuer")
    audience = claims.get("aud")
    check(audience == CLIENT_ID or (isinstance(audience, list) and CLIENT_ID in audience), "aud is the client")
    check(claims.get("nonce") == nonce, "nonce is the one sent")
    check(isinstance(claims.get("exp"), int) and now < claims["exp"] <= now + 610, "exp is in the future, within 10 min")
    check(isinstance(claims.get("iat"), int) and claims["iat"] <= now + 5, "iat is not in the future")
    check(isinstance(claims.get("auth_time"), int) and claims["auth_time"] <= now + 5, "auth_time is present")
    check(claims.get("sub") == ACCOUNT["subject"], f"sub is the account's subject ({claims.get('sub')})")
    check(claims.get("pse_subject") == ACCOUNT["subject"], f"pse_subject is the account's subject ({claims.get('pse_subject')})")
    check(claims.get("name") == ACCOUNT["name"], "name is in the ID token")
    check(claims.get("email") == ACCOUNT["email"], "email is in the ID token")
    print(f"   ID token claims: {sorted(claims)}")

    # Userinfo with the access token.
    bearer = {"Authorization": "Bearer " + tokens["access_token"]}
    userinfo = browser.get(meta["userinfo_endpoint"], headers=bearer)
    check(userinfo.status == 200 and userinfo.json().get("pse_subject") == ACCOUNT["subject"],
          "userinfo answers with pse_subject for the access token")

    # The same code again: refused, and the tokens it gave are revoked.
    response = token_request(browser, token_endpoint, code, verifier)
    check(response.status == 400 and response.json().get("error") == "invalid_grant", "a code used twice is refused (invalid_grant)")
    userinfo = browser.get(meta["userinfo_endpoint"], headers=bearer)
    check(userinfo.status == 401, "after the replay, the access token issued with that code is revoked")

    # RP-initiated logout: confirmation page, then back to the post-logout URI with the state.
    logout_state = secrets.token_urlsafe(8)
    page = browser.get(meta["end_session_endpoint"] + "?" + urllib.parse.urlencode(
        {"id_token_hint": id_token, "post_logout_redirect_uri": POST_LOGOUT_URI, "state": logout_state,
         "client_id": CLIENT_ID}))
    check(page.status == 200 and 'id="logout-yes"' in page.text and '<html lang="fr">' in page.text,
          "the end_session endpoint asks for confirmation, in French")
    form_action = page.text.split('id="op.logoutForm" method="post" action="', 1)[1].split('"', 1)[0]
    xsrf = page.text.split('name="xsrf" value="', 1)[1].split('"', 1)[0]
    response = browser.post(urllib.parse.urljoin(issuer, form_action), {"xsrf": xsrf, "logout": "yes"})
    target, _ = browser.follow(response, issuer, POST_LOGOUT_URI)
    check(target is not None and callback_params(target).get("state") == logout_state,
          "confirming the logout redirects to post_logout_redirect_uri with the state")
    verifier, challenge = pkce_pair()
    response = browser.get(authorization_url(meta["authorization_endpoint"], "s", "n", challenge))
    target, page = browser.follow(response, meta["authorization_endpoint"], REDIRECT_URI)
    check(target is None and page.status == 200 and 'id="sign-in"' in page.text,
          "after logout, a new authorization request asks to sign in again")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="the PSE source directory")
    args = parser.parse_args()
    source = os.path.abspath(args.source)

    def out_of_time(signum, frame):
        raise TimeoutError(f"the smoke test took more than {TIME_LIMIT} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(TIME_LIMIT)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="pse-portal-idp-smoke-") as work:
            smoke(source, work)
    except (CheckFailed, RuntimeError, TimeoutError, OSError, KeyError, ValueError, IndexError) as error:
        print(f"FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
    print(f"idp smoke test passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
