#!/usr/bin/python3
"""Accessibility checks with axe-core in the browser tests of pse-portal.

    from axe_check import axe_violations, format_violations

    violations = axe_violations(driver, axe_js_path)   # the page now open in `driver`
    if violations:
        raise AssertionError(format_violations(violations))

axe_js_path is tests/clients/pse-portal/browser/node_modules/axe-core/axe.min.js (installed by
scripts/setup from that folder's package-lock.json). The check runs the rules tagged WCAG 2.0
and 2.1, levels A and AA.

Injection under the pages' Content-Security-Policy: axe is injected with WebDriver's
execute_script, which chromedriver evaluates through the DevTools protocol; Chromium does not
apply the page's CSP (script-src, default-src 'none') to that evaluation, so no CSP bypass is
needed. This was checked on a page served with "default-src 'none'; style-src 'self'"; the
self-test below checks it again on every run.

Run by hand, this file is its own self-test (not a ctest test): it serves two pages over plain
HTTP on 127.0.0.1 with that CSP, one with an unlabelled field and one clean, and checks that axe
finds a violation on the first and none on the second:

    /usr/bin/python3 tests/clients/pse-portal/axe_check.py
"""
import os

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_RUN_AXE = """
const tags = arguments[0];
const done = arguments[arguments.length - 1];
if (typeof window.axe !== 'object' || typeof window.axe.run !== 'function') {
  done({ error: 'axe is not loaded in this page' });
  return;
}
window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
  .then((results) => done({
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
    })),
  }))
  .catch((e) => done({ error: String((e && e.stack) || e) }));
"""

_sources = {}


def _axe_source(axe_js_path):
    if axe_js_path not in _sources:
        try:
            with open(axe_js_path, encoding="utf-8") as source:
                _sources[axe_js_path] = source.read()
        except OSError as error:
            raise RuntimeError(f"cannot read axe-core at {axe_js_path} ({error}); run scripts/setup "
                               f"(npm ci in tests/clients/pse-portal/browser)") from error
    return _sources[axe_js_path]


def axe_violations(driver, axe_js_path, tags=WCAG_TAGS, timeout=30):
    """Runs axe-core on the page open in `driver` (a selenium Chrome driver) for `tags` (by
    default WCAG 2.0 and 2.1, A and AA) and returns its violations: a list of dicts with id,
    impact, help, helpUrl and nodes (each with target, a list of CSS selectors, html and
    summary). Injects axe into the page first, unless the page already has it. Raises
    RuntimeError if axe cannot be loaded or fails."""
    loaded = driver.execute_script("return typeof window.axe === 'object';")
    if not loaded:
        # The source defines window.axe; evaluated by WebDriver, it is not subject to the page's CSP.
        state = driver.execute_script(_axe_source(axe_js_path) + "\n;return typeof window.axe;")
        if state != "object":
            raise RuntimeError(f"axe-core did not load in {driver.current_url} (window.axe is {state})")
    previous = driver.timeouts.script
    driver.set_script_timeout(timeout)
    try:
        result = driver.execute_async_script(_RUN_AXE, list(tags))
    finally:
        driver.set_script_timeout(previous)
    if not isinstance(result, dict) or "error" in result:
        raise RuntimeError(f"axe-core failed on {driver.current_url}: {result}")
    return result["violations"]


def format_violations(violations):
    """A readable report of axe_violations' result, one block per rule."""
    if not violations:
        return "no accessibility violations"
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): "
                     f"{violation['help']} [{violation.get('helpUrl', '')}]")
        for node in violation["nodes"]:
            target = " ".join(" > ".join(part) if isinstance(part, list) else str(part) for part in node["target"])
            lines.append(f"    at {target}: {node.get('html', '')}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Self-test, run by hand.

_CSP = "default-src 'none'; style-src 'self'"

_STYLE = b"body { font-family: sans-serif; color: #1b1b1b; background: #fff; }\n"

_BAD_PAGE = b"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Page fautive</title>
<link rel="stylesheet" href="/style.css"></head>
<body><main><h1>Connexion</h1>
<form method="post" action="/"><input type="text" name="login"><button type="submit">Se connecter</button></form>
</main></body></html>
"""

_CLEAN_PAGE = b"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Page propre</title>
<link rel="stylesheet" href="/style.css"></head>
<body><main><h1>Connexion</h1>
<form method="post" action="/"><label for="login">Identifiant</label>
<input id="login" type="text" name="login" autocomplete="username">
<button type="submit">Se connecter</button></form>
</main></body></html>
"""


def _self_test():
    import http.server
    import tempfile
    import threading

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    axe_js = os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser/node_modules/axe-core/axe.min.js")
    pages = {"/bad": ("text/html; charset=utf-8", _BAD_PAGE), "/clean": ("text/html; charset=utf-8", _CLEAN_PAGE),
             "/style.css": ("text/css; charset=utf-8", _STYLE)}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path not in pages:
                self.send_error(404)
                return
            content_type, body = pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Security-Policy", _CSP)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    driver = None
    try:
        with tempfile.TemporaryDirectory(prefix="pse-portal-axe-") as work:
            options = webdriver.ChromeOptions()
            options.binary_location = "/usr/bin/chromium"
            for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--disable-dev-shm-usage", "--user-data-dir=" + os.path.join(work, "profile")):
                options.add_argument(argument)
            options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
            # TMPDIR in the work directory: left to itself Chromium leaves a directory in /tmp.
            service = Service("/usr/bin/chromedriver", env={**os.environ, "TMPDIR": work})
            driver = webdriver.Chrome(service=service, options=options)
            try:
                driver.get(base + "/bad")
                bad = axe_violations(driver, axe_js)
                print("page with an unlabelled field:\n" + format_violations(bad))
                assert any(v["id"] == "label" for v in bad), "axe did not report the missing label"

                driver.get(base + "/clean")
                clean = axe_violations(driver, axe_js)
                print("clean page:\n" + format_violations(clean))
                assert clean == [], "axe reported violations on the clean page"

                csp_errors = [entry["message"] for entry in driver.get_log("browser")
                              if "Content Security Policy" in entry.get("message", "")]
                assert not csp_errors, f"the page's CSP blocked something: {csp_errors}"
            finally:
                driver.quit()
    finally:
        server.shutdown()
        server.server_close()
    print(f"axe self-test passed (CSP \"{_CSP}\", injection through execute_script)")


if __name__ == "__main__":
    _self_test()
