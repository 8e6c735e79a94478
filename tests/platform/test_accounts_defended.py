"""Accounts defended (issue 10): no stranger locks a named person out, strong passwords, changing them, the second
factor for privileged roles, and the separation of the three administrators' duties."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client, override_settings

from tests.platform.conftest import PASSWORD, World
from zhicheng.accounts.models import Organisation
from zhicheng.accounts.roles import OrgKind, Role

PROXY = "10.0.0.5"
BEHIND_THE_PROXY = override_settings(
    ZHICHENG_TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR", ZHICHENG_TRUSTED_PROXIES=["10.0.0.0/24"]
)


def through_proxy(client_address: str) -> Client:
    """A browser whose requests reach the platform through the reverse proxy, which appends the client's address."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post("/login/", {"username": username, "password": password})


@BEHIND_THE_PROXY
def test_finding_6_a_stranger_cannot_lock_the_committee_clerk_out(world: World) -> None:
    world.person("committee_clerk", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))
    stranger = through_proxy("203.0.113.7")
    answers = [
        sign_in(stranger, "committee_clerk", "wrong-guess").status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last failure pauses this machine
    refused = sign_in(stranger, "committee_clerk")  # even the right password, from the stranger's machine
    assert refused.status_code == 429
    assert "本机的登录已暂停" in refused.content.decode() and "15分钟" in refused.content.decode()
    # The clerk at her own machine, behind the same proxy, still signs in.
    clerk = through_proxy("198.51.100.9")
    assert sign_in(clerk, "committee_clerk").status_code == 302
    assert "_auth_user_id" in clerk.session


@BEHIND_THE_PROXY
def test_a_forged_forwarded_header_from_outside_the_proxy_is_not_believed(world: World) -> None:
    world.person("someone", Role.EXPERT, None)
    # Sent straight to the server, not through the proxy: the header is the sender's own words.
    direct = Client(REMOTE_ADDR="192.0.2.1")
    for n in range(settings.AXES_FAILURE_LIMIT):
        direct.post("/login/", {"username": "someone", "password": "x"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert sign_in(direct, "someone").status_code == 429
    # Through the proxy, only the hop the proxy appended counts, not what the client put before it.
    chained = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.20")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(chained, "someone", "x")
    assert sign_in(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20"), "someone").status_code == 429
    assert sign_in(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99"), "someone").status_code == 302
