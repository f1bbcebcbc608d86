"""Where phones join a session: the public URL if one is set, else an address they can reach.

A presenter opened on the projector's own machine reads 127.0.0.1 in its
address bar; a phone that opened that would reach itself. So over loopback
the join link names this machine's network address instead, and the lobby
says which one it chose.
"""

from __future__ import annotations

from dataclasses import dataclass

from quiz import network

GIVEN, REQUEST, NETWORK, LOOPBACK_ONLY, NO_NETWORK = "given", "request", "network", "loopback-only", "none"


@dataclass(frozen=True)
class JoinAddress:
    """The origin (``scheme://host[:port]``) join links start with, and how it was chosen."""

    origin: str
    source: str  # one of GIVEN, REQUEST, NETWORK, LOOPBACK_ONLY, NO_NETWORK

    @property
    def reachable(self) -> bool:
        """Whether phones on the network can be expected to reach this origin."""
        return self.source in (GIVEN, REQUEST, NETWORK)


def _split(host: str) -> tuple[str, str]:
    """``host[:port]`` as (host, ":port" or "")."""
    if host.startswith("["):  # [IPv6]:port
        name, _, rest = host[1:].partition("]")
        return name, rest
    name, colon, port = host.rpartition(":")
    return (name, colon + port) if colon else (host, "")


def join_address(public_url: str | None, scheme: str, host: str, bind_host: str | None,
                 machine: list[str]) -> JoinAddress:
    """Where phones should go, for a page requested at ``scheme://host`` (its Host header, checked).

    ``bind_host`` is where the server listens (None: not known) and
    ``machine`` this machine's network addresses, the preferred first.
    """
    if public_url:
        return JoinAddress(public_url, GIVEN)
    name, port = _split(host)
    if not network.is_loopback(name):
        return JoinAddress(f"{scheme}://{host}", REQUEST)
    if bind_host is not None and network.is_loopback(bind_host):
        return JoinAddress(f"{scheme}://{host}", LOOPBACK_ONLY)
    if not machine:
        return JoinAddress(f"{scheme}://{host}", NO_NETWORK)
    return JoinAddress(f"{scheme}://{machine[0]}{port}", NETWORK)
