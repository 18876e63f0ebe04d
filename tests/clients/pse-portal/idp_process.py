"""Starts and stops the test OpenID provider (clients/pse-portal/idp/idp.mjs) for the
pse-portal tests. Standard library only.

    from idp_process import write_idp_config, start_idp, stop_idp

    write_idp_config(config, cert, key, clients=[...], accounts=[...])
    process, port, issuer = start_idp(idp_dir, config, log_path)
    try:
        ...
    finally:
        stop_idp(process)

The provider prints one line on stdout once it listens,
{"msg":"listening","port":N,"issuer":"https://127.0.0.1:N"}, and logs on stderr; both go to
log_path.
"""
import json
import os
import re
import signal
import subprocess
import time

NODE = "node"
LISTENING = re.compile(r'^\{"msg":"listening".*\}$', re.MULTILINE)


def write_idp_config(path, cert, key, clients, accounts, host="127.0.0.1", port=0):
    """Writes the provider's JSON configuration. `clients`: dicts with client_id, client_secret,
    redirect_uris and optionally post_logout_redirect_uris; `accounts`: dicts with login,
    password, subject, name and email. cert and key are written as absolute paths."""
    config = {
        "host": host,
        "port": port,
        "certificate": os.path.abspath(cert),
        "key": os.path.abspath(key),
        "clients": list(clients),
        "accounts": list(accounts),
    }
    with open(path, "w") as out:
        json.dump(config, out, indent=2)
        out.write("\n")
    return path


def start_idp(idp_dir, config_path, log_path, timeout=15.0):
    """Starts `node idp_dir/idp.mjs --config config_path`, its stdout and stderr in log_path.
    Returns (process, port, issuer) once it listens. Raises RuntimeError with the log's text if
    it exits or does not listen within `timeout` seconds (then it is killed)."""
    script = os.path.join(idp_dir, "idp.mjs")
    if not os.path.isfile(script):
        raise RuntimeError(f"no OpenID provider at {script}")
    if not os.path.isdir(os.path.join(idp_dir, "node_modules", "oidc-provider")):
        raise RuntimeError(f"{idp_dir}/node_modules is missing: run scripts/setup "
                           f"(or npm ci in {idp_dir})")
    # The child writes through its own file description, and the log is read through another:
    # one shared description would let the reader's seek move where the child writes.
    with open(log_path, "wb") as log:
        try:
            process = subprocess.Popen([NODE, script, "--config", config_path],
                                       stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        except OSError as error:
            raise RuntimeError(f"cannot start {NODE}: {error}") from error
    deadline = time.monotonic() + timeout
    try:
        while True:
            with open(log_path, encoding="utf-8", errors="replace") as log:
                text = log.read()
            match = LISTENING.search(text)
            if match:
                line = json.loads(match.group(0))
                return process, int(line["port"]), line["issuer"]
            if process.poll() is not None:
                raise RuntimeError(f"the OpenID provider exited with status {process.returncode}:\n{text}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the OpenID provider did not listen within {timeout:g} s:\n{text}")
            time.sleep(0.05)
    except BaseException:
        # Whatever stops the wait (its own timeout, a test's alarm, ^C) must not leave it running.
        stop_idp(process)
        raise


def stop_idp(process, timeout=5.0):
    """Stops the provider (SIGTERM, then SIGKILL after `timeout` seconds); returns its exit
    status. Safe to call on a process that has already exited."""
    if process is None:
        return None
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
