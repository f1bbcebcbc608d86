"""This machine's network addresses: the ones phones on the room's network can reach it by.

Read from the network interfaces with ``psutil``, not from the host name,
which on many machines resolves only to 127.0.1.1.
"""

from __future__ import annotations

import ipaddress

import psutil

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARDS = ("0.0.0.0", "", "::")  # noqa: S104  (what binding "every interface" is spelled as)
# Bridges to containers and virtual machines: phones in the room cannot reach those.
VIRTUAL_PREFIXES = ("docker", "br-", "veth", "virbr", "lxcbr", "cni", "flannel", "podman")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address, without a port) is this machine's loopback."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def machine_addresses() -> list[str]:
    """Every IPv4 address of this machine's interfaces that are up, but loopback and link-local.

    Real interfaces come before container and VM bridges, so the first is the
    one to put in a QR code when nothing else is said.
    """
    stats = psutil.net_if_stats()
    found: list[tuple[bool, str]] = []
    for name, addresses in psutil.net_if_addrs().items():
        if name in stats and not stats[name].isup:
            continue
        virtual = name.startswith(VIRTUAL_PREFIXES)
        for address in addresses:
            if address.family.name != "AF_INET":
                continue
            ip = ipaddress.ip_address(address.address)
            if ip.is_loopback or ip.is_link_local or ip.is_unspecified:
                continue
            found.append((virtual, address.address))
    return [address for _, address in sorted(found, key=lambda pair: pair[0])]


def served_addresses(bind_host: str | None, machine: list[str]) -> list[str]:
    """The addresses a server bound to ``bind_host`` answers on, of this machine's ``machine`` addresses.

    ``None`` (not known, as under ``quiz run``) counts as every interface:
    the Host header may then name any of this machine's own addresses, and
    nothing else.
    """
    if bind_host is None or bind_host in WILDCARDS:
        return ["127.0.0.1", "localhost", *machine]
    if is_loopback(bind_host):
        return ["127.0.0.1", "localhost"]
    return [bind_host]
