#!/usr/bin/python3
"""A real SMTP server for pse-notify's tests: aiosmtpd (Debian's python3-aiosmtpd) on
loopback, STARTTLS required, AUTH PLAIN/LOGIN required after TLS, each accepted message
stored as one file in a directory.

    smtp_server.py --cert C --key K --dir D --ready FILE [--port N] [--user U --password P] [--login-only]

Writes the listening port to FILE once it accepts connections. Recipients whose local part
starts with "reject" get 550 (a permanent failure), "tempfail" 451 (temporary). Stops on
SIGTERM or SIGINT.
"""
import argparse
import asyncio
import os
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Store:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("tempfail"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(self.directory, "%06d.eml" % self.count)
        tmp = name + ".tmp"
        with open(tmp, "wb") as out:
            out.write(("X-Envelope-From: %s\r\n" % envelope.mail_from).encode())
            out.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            out.write(("X-Authenticated: %s\r\n" % (session.authenticated and "yes" or "no")).encode())
            out.write(("X-TLS: %s\r\n" % (session.ssl is not None and "yes" or "no")).encode())
            out.write(envelope.original_content)
        os.rename(tmp, name)  # a reader never sees half a message
        return "250 2.0.0 stored as %06d" % self.count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user", default="pse-notify")
    parser.add_argument("--password", default="s3cret")
    parser.add_argument("--login-only", action="store_true", help="offer AUTH LOGIN but not PLAIN")
    args = parser.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == args.user.encode()
              and auth_data.password == args.password.encode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    handler = Store(args.dir)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(handler, hostname="smtp.test", tls_context=context, require_starttls=True,
                    authenticator=authenticate, auth_required=True, auth_require_tls=True,
                    auth_exclude_mechanism=["PLAIN"] if args.login_only else None,
                    decode_data=False, loop=loop)

    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", args.port, reuse_address=True))
    port = server.sockets[0].getsockname()[1]
    with open(args.ready + ".tmp", "w") as out:
        out.write(str(port))
    os.rename(args.ready + ".tmp", args.ready)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    main()
