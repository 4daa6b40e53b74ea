"""The outbound guard (auditor.net): addresses checked when the connection opens, no redirects."""

from __future__ import annotations

import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import pytest

from auditor import net
from projects import gitops
from tests.automation import Receiver, store
from tests.factories import RepositoryFactory
from webhooks.models import OutgoingDelivery, OutgoingWebhook
from webhooks.tasks import deliver_gate_webhook

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"


class Rebinding:
    """A resolver that answers a public address first, then 127.0.0.1 (DNS rebinding)."""

    def __init__(self, monkeypatch, port: int) -> None:
        self.calls = 0
        self.real = socket.getaddrinfo
        self.port = port
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host: Any, *args: Any, **kwargs: Any):
        if host != "rebind.example":
            return self.real(host, *args, **kwargs)
        self.calls += 1
        address = PUBLIC if self.calls == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, self.port))]


def test_it_refuses_a_host_that_rebinds_to_loopback_at_connect_time(settings, monkeypatch):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        resolver = Rebinding(monkeypatch, port)
        # Checked when saved: public, accepted.
        assert gitops.check_host("rebind.example") == (PUBLIC,)
        with pytest.raises(net.OutboundError) as refused, net.client(allow_private=False) as client:
            client.post(f"http://rebind.example:{port}/hook", content=b"{}")
    assert refused.value.kind == net.OutboundError.FORBIDDEN and "127.0.0.1" in refused.value.message
    assert resolver.calls == 2 and receiver.requests == []


def test_it_records_a_rebinding_webhook_as_refused(settings, monkeypatch, personas):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    repo = RepositoryFactory(team=personas.team)
    audit = store(repo)
    with Receiver() as receiver:
        Rebinding(monkeypatch, 443)
        hook = OutgoingWebhook(repository=repo, url="https://rebind.example/hook")
        hook.set_secret("s")
        hook.save()
        delivery = OutgoingDelivery.objects.create(webhook=hook, audit=audit, payload={"x": 1})
        deliver_gate_webhook.apply(args=[delivery.pk], retries=deliver_gate_webhook.max_retries)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "loopback, private or link-local" in delivery.error
    assert receiver.requests == []


class Redirector:
    def __init__(self, location: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.send_response(307)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_it_never_follows_a_redirect_to_a_private_address(allow_local_repos, personas):
    repo = RepositoryFactory(team=personas.team)
    audit = store(repo)
    with Receiver() as private:
        redirector = Redirector(private.url)
        try:
            hook = OutgoingWebhook(repository=repo, url=redirector.url)
            hook.set_secret("s")
            hook.save()
            delivery = OutgoingDelivery.objects.create(webhook=hook, audit=audit, payload={"x": 1})
            deliver_gate_webhook.apply(args=[delivery.pk], retries=deliver_gate_webhook.max_retries)
        finally:
            redirector.close()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.response_status == 307
    assert "redirects are not followed" in delivery.error
    assert private.requests == []


def test_it_holds_ssh_to_the_checked_address(settings, monkeypatch):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    Rebinding(monkeypatch, 22)
    remote = gitops.validate_remote_url("git@rebind.example:acme/chat.git")
    assert remote.addresses == (PUBLIC,)
    command = gitops.ssh_command(remote)
    assert f"-o HostName={PUBLIC} -o HostKeyAlias=rebind.example" in command
    # Checked once: the connection goes to that address, whatever the name resolves to later.
    assert socket.getaddrinfo("rebind.example", 22)[0][4][0] == "127.0.0.1"
    assert "127.0.0.1" not in command
    odd = gitops.ParsedRemote("ssh://x", "ssh", "a;touch /tmp/x", None, (PUBLIC,))
    assert "'HostKeyAlias=a;touch /tmp/x'" in gitops.ssh_command(odd)
