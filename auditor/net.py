"""Outbound connections: the one policy for every request this service makes to an address a
user gave it (git remotes, outgoing webhooks).

A host is resolved and every address it resolves to must be public (not loopback, private,
link-local, multicast or reserved). The check is made where the connection is opened, on the
addresses the connection then uses, so a name that resolves to a public address when it is
saved and to 127.0.0.1 a moment later (DNS rebinding) is refused:

- git is pinned to the checked addresses (`http.curloptResolve`, projects.gitops);
- HTTP goes through `client()`, an httpx client whose connections are opened by
  `GuardedBackend`: it resolves, checks, and connects to the checked address itself. Redirects
  are never followed and proxies from the environment are not used.

`allow_private` admits private addresses (tests and the local demo only).
"""

from __future__ import annotations

import ipaddress
import socket
import typing

import httpcore
import httpx


class OutboundError(Exception):
    """A destination the policy refuses (`kind` "forbidden") or cannot resolve ("unreachable")."""

    FORBIDDEN = "forbidden"
    UNREACHABLE = "unreachable"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def resolve(host: str) -> list[str]:
    """Every address of `host`, in the resolver's order; OutboundError(UNREACHABLE) if none."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise OutboundError(OutboundError.UNREACHABLE, f"Could not resolve the host {host!r}.") from None
    return list(dict.fromkeys(info[4][0].split("%", 1)[0] for info in infos))


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def checked_addresses(host: str, *, allow_private: bool) -> tuple[str, ...]:
    """The addresses to connect to for `host`, all of them allowed; raises OutboundError."""
    addresses = resolve(host)
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise OutboundError(
                    OutboundError.FORBIDDEN,
                    f"{host} resolves to a loopback, private or link-local address ({address}); such "
                    "destinations are only allowed when AUDITOR_ALLOW_LOCAL_REPOS is on.",
                )
    return tuple(addresses)


class GuardedBackend(httpcore.SyncBackend):
    """Opens each connection to an address checked at that moment (TLS still verifies the name)."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = checked_addresses(host, allow_private=self.allow_private)
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as problem:
                error = problem
        raise error or httpcore.ConnectError(f"Could not connect to {host}")

    def connect_unix_socket(self, *args: typing.Any, **kwargs: typing.Any) -> httpcore.NetworkStream:
        raise OutboundError(OutboundError.FORBIDDEN, "Unix sockets are not an outbound destination.")


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self, *, allow_private: bool) -> None:
        super().__init__(trust_env=False, retries=0)
        ssl_context = self._pool._ssl_context  # type: ignore[union-attr]
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=GuardedBackend(
            allow_private=allow_private))


def client(*, allow_private: bool, timeout: float = 10.0) -> httpx.Client:
    """An httpx client for user-given destinations: checked at connect time, no redirects."""
    return httpx.Client(
        transport=GuardedTransport(allow_private=allow_private),
        follow_redirects=False,
        trust_env=False,
        timeout=timeout,
    )
