"""The names this server answers to: ``PUBLIC_URL``'s host and the addresses it listens on.

Flask checks each request's Host header against ``TRUSTED_HOSTS`` and answers
400 to any other, so a forged Host cannot rewrite a link the app builds from
it (the join link and QR code above all).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask.globals import request_ctx
from werkzeug.exceptions import SecurityError

from quiz import errors, network


def check_public_url(value: str | None) -> str | None:
    """``PUBLIC_URL`` without a trailing slash; ValueError unless it is ``http(s)://host[:port]``."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment:
        raise ValueError(f"PUBLIC_URL must look like http://192.168.1.20:8000 or https://quiz.example.org "
                         f"(a scheme, a host, maybe a port, no path), not {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


def trusted_hosts(public_url: str | None, served: list[str]) -> list[str]:
    """The host names to accept: the public URL's and every address served, each once."""
    name = urlsplit(public_url).hostname if public_url else None
    return list(dict.fromkeys([*([name] if name else []), *served]))


def _untrusted_host(error: SecurityError):
    """A Host header this server does not answer to: 400, in the site's layout like every error.

    Flask refused it before routing, so no URL adapter was made; the page's
    links (all relative) are built against the server's own first name.
    """
    if request_ctx.url_adapter is None:
        request_ctx.url_adapter = current_app.url_map.bind(
            current_app.config["TRUSTED_HOSTS"][0], script_name=request.script_root or None,
            url_scheme=request.scheme)
    return errors.respond(400, "This server does not answer to that address. Open the address the "
                               "presenter's screen shows.")


def init_app(app: Flask) -> None:
    """Check ``PUBLIC_URL``, note the machine's addresses once, and fill in ``TRUSTED_HOSTS`` if unset.

    The addresses are read at start: the join link offers only an address
    the server also trusts, so a machine that moves to another network is
    restarted to serve it.
    """
    app.config["PUBLIC_URL"] = check_public_url(app.config.get("PUBLIC_URL"))
    if app.config.get("MACHINE_ADDRESSES") is None:
        app.config["MACHINE_ADDRESSES"] = network.machine_addresses()
    bind = app.config.get("BIND_HOST")
    served = network.served_addresses(bind, app.config["MACHINE_ADDRESSES"])
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["PUBLIC_URL"], served)
    app.register_error_handler(SecurityError, _untrusted_host)
