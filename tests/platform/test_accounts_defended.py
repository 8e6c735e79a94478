"""Accounts defended (issue 10): no stranger locks a named person out, strong passwords, changing them, the second
factor for privileged roles, and the separation of the three administrators' duties."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.platform.conftest import PASSWORD, World, authenticator, current_code
from zhicheng.accounts.models import Organisation, User
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.accounts.second_factor import secret_text
from zhicheng.demo.accounts import DEMO_PASSWORD

# Every account the demo makes (README's table).
DEMO_USERNAMES = [
    *("applicant", "applicant2", "applicant3", "applicant4", "applicant6", "applicant7", "applicant8"),
    *("applicant9", "applicant10", "xinfu_soe_leader", "entrusted_employer", "employer_clerk", "employer_leader"),
    *("city_employer_clerk", "private_employer", "county_hr", "county_iit", "xinfu_hr", "competent_department"),
    *("talent_agency", "personnel_agency", "dispatch_agency", "hr_association", "committee_clerk", "expert"),
    *("expert2", "expert3", "expert4", "expert5", "city_hr", "admin", "security", "auditor"),
]

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
    # Her success does not lift the stranger's pause.
    assert sign_in(through_proxy("203.0.113.7"), "committee_clerk").status_code == 429


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


# Finding 9: passwords.


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("Ab1-short", "密码至少10个字符"),
        ("onlylowercaseletters", "至少三类"),
        ("lowercase-and-symbols", "至少三类"),
        ("Expert7-long-enough", "不能包含用户名"),
    ],
)
def test_finding_9_weak_passwords_are_refused_in_chinese(password: str, says: str) -> None:
    user = User(username="expert7")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(says in message for message in refused.value.messages), refused.value.messages


def test_common_passwords_stay_refused() -> None:
    with pytest.raises(ValidationError):
        validate_password(
            "Password123", User(username="someone")
        )  # three classes, yet in Django's list of common passwords


def test_the_demo_and_test_passwords_pass_for_every_demo_account() -> None:
    for username in DEMO_USERNAMES:
        validate_password(DEMO_PASSWORD, User(username=username))
        validate_password(PASSWORD, User(username=username))


def test_the_password_change_page_asks_the_old_password(world: World) -> None:
    member = world.person("changer", Role.APPLICANT, world.employer("原平市改密码测试公司"))
    client = Client()
    sign_in(client, "changer")
    page = client.get("/")
    assert 'href="/account/password/"' in page.content.decode()  # linked from the header
    wrong = client.post(
        "/account/password/",
        {"old_password": "not-mine-123", "new_password1": "Neue-Pass-2024", "new_password2": "Neue-Pass-2024"},
    )
    assert wrong.status_code == 200 and "旧密码不正确" in wrong.content.decode()
    weak = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": "abcdefghij", "new_password2": "abcdefghij"}
    )
    assert "至少三类" in weak.content.decode()
    done = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "Neue-Pass-2024", "new_password2": "Neue-Pass-2024"},
    )
    assert done.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password("Neue-Pass-2024")
    assert client.get("/").status_code == 200  # still signed in


def test_a_first_password_must_be_changed_before_anything_else(world: World) -> None:
    member = world.person("newcomer", Role.APPLICANT, world.employer("原平市新账号测试公司"))
    User.objects.filter(pk=member.user_id).update(must_change_password=True)
    client = Client()
    sign_in(client, "newcomer")
    for url in ("/", "/profile/", "/applications/new/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/account/password/", url
    assert client.get("/api/applications").status_code == 403
    page = client.get("/account/password/")
    assert "初始密码" in page.content.decode()
    client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "Mein-Eigenes-1", "new_password2": "Mein-Eigenes-1"},
    )
    member.user.refresh_from_db()
    assert not member.user.must_change_password
    assert client.get("/").status_code == 200


def test_createsuperuser_makes_an_account_that_must_change_its_password(db: Any) -> None:
    user = User.objects.create_superuser("first", None, "Erst-Passwort-1")
    assert user.must_change_password
    assert not User.objects.create_user("plain", None, "Erst-Passwort-1").must_change_password


# The second factor of the privileged roles.


def clerk(world: World, username: str = "office_clerk") -> User:
    office = Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE)
    return world.person(username, Role.COMMITTEE_CLERK, office).user


def test_the_right_password_alone_does_not_open_the_offices_pages(world: World) -> None:
    user = clerk(world)
    authenticator(user)
    client = Client()
    assert sign_in(client, user.username)["Location"] == "/"
    for url in ("/office/", "/evaluation/", "/integrity/", "/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/second-factor/"), url
    assert client.get("/api/applications").status_code == 403
    page = client.get("/account/second-factor/")
    assert "两步验证" in page.content.decode() and "6位验证码" in page.content.decode()


def test_a_wrong_code_is_refused_and_a_right_one_lets_the_clerk_in(world: World) -> None:
    user = clerk(world)
    device = authenticator(user)
    client = Client()
    sign_in(client, user.username)
    right = current_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    refused = client.post("/account/second-factor/", {"code": wrong})
    assert refused.status_code == 200 and "验证码不正确" in refused.content.decode()
    assert client.get("/office/").status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # no waiting after the wrong code
    let_in = client.post("/account/second-factor/?next=/office/", {"code": right, "next": "/office/"})
    assert let_in.status_code == 302 and let_in["Location"] == "/office/"
    assert client.get("/office/").status_code == 200
    assert client.get("/evaluation/").status_code == 200


def test_a_code_signs_in_once(world: World) -> None:
    user = clerk(world)
    device = authenticator(user)
    code = current_code(device)
    first, second = Client(), Client()
    sign_in(first, user.username)
    sign_in(second, user.username)
    assert first.post("/account/second-factor/", {"code": code}).status_code == 302
    assert second.post("/account/second-factor/", {"code": code}).status_code == 200  # seen: refused
    assert second.get("/office/").status_code == 302


def test_an_applicant_needs_no_code(world: World) -> None:
    world.person("plain_applicant", Role.APPLICANT, world.employer("原平市无需验证码公司"))
    client = Client()
    sign_in(client, "plain_applicant")
    assert client.get("/").status_code == 200
    assert client.get("/profile/").status_code == 200


def test_the_first_sign_in_enrols_an_authenticator_from_a_qr_code(world: World) -> None:
    user = world.person("new_expert", Role.EXPERT, None).user
    client = Client()
    sign_in(client, "new_expert")
    assert client.get("/evaluation/expert/")["Location"].startswith("/account/second-factor/enrol/")
    page = client.get("/account/second-factor/enrol/").content.decode()
    assert "<svg" in page and 'data-testid="totp-secret"' in page
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    assert secret_text(pending) in page
    assert client.get("/account/second-factor/enrol/").content.decode().count(secret_text(pending)) == 1  # same
    assert client.post("/account/second-factor/enrol/", {"code": "000000x"}).status_code == 200
    TOTPDevice.objects.filter(pk=pending.pk).update(throttling_failure_count=0)
    assert client.post("/account/second-factor/enrol/", {"code": current_code(pending)}).status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/").status_code == 200
    # Signed in again later: the code page, not a new secret.
    later = Client()
    sign_in(later, "new_expert")
    assert later.get("/account/second-factor/enrol/")["Location"] == "/account/second-factor/"


@override_settings(ZHICHENG_SECOND_FACTOR=False)
def test_the_second_factor_can_be_turned_off(world: World) -> None:
    user = clerk(world)
    client = Client()
    sign_in(client, user.username)
    assert client.get("/office/").status_code == 200


# The separation of the three administrators' duties (三权分立).


@pytest.fixture
def three(world: World) -> dict[str, User]:
    people = {}
    for username, role in (
        ("sysadmin", Role.ADMINISTRATOR),
        ("secadmin", Role.SECURITY_ADMIN),
        ("audadmin", Role.AUDIT_ADMIN),
    ):
        user = world.person(username, role, None).user
        User.objects.filter(pk=user.pk).update(is_staff=True)
        people[role] = User.objects.get(pk=user.pk)
    return people


def as_(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_administrator_sees_only_their_own_part_of_the_admin_site(three: dict[str, User], world: World) -> None:
    someone = world.person("ordinary", Role.EXPERT, None).user
    pages = {
        "/admin/accounts/user/": {Role.SECURITY_ADMIN},
        f"/admin/accounts/user/{someone.pk}/change/": {Role.SECURITY_ADMIN},
        "/admin/otp_totp/totpdevice/": {Role.SECURITY_ADMIN},
        "/admin/auth/group/": {Role.SECURITY_ADMIN},
        "/admin/axes/accessattempt/": {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN},
        "/admin/accounts/organisation/": {Role.ADMINISTRATOR},
        "/admin/accounts/area/": {Role.ADMINISTRATOR},
        "/admin/accounts/sensitiveview/": {Role.AUDIT_ADMIN},
        "/admin/axes/accesslog/": {Role.AUDIT_ADMIN},
    }
    for role, user in three.items():
        client = as_(user)
        assert client.get("/admin/").status_code == 200
        for url, who in pages.items():
            assert client.get(url).status_code == (200 if role in who else 403), (role, url)
        # None of them works on cases or opens the office's, the bureau's or the experts' pages.
        for url in ("/office/", "/evaluation/", "/results/", "/integrity/", "/channel/"):
            assert client.get(url).status_code == 403, (role, url)


def test_the_system_administrator_cannot_give_anyone_a_role(three: dict[str, User], world: World) -> None:
    someone = world.person("ordinary", Role.APPLICANT, world.employer("原平市角色测试公司")).user
    client = as_(three[Role.ADMINISTRATOR])
    form = {
        "username": "ordinary",
        "full_name": "x",
        "is_active": "on",
        "is_staff": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-role": Role.COMMITTEE_CLERK,
        "memberships-0-organisation": str(Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE).pk),
    }
    assert client.post(f"/admin/accounts/user/{someone.pk}/change/", form).status_code == 403
    assert (
        client.post("/admin/accounts/user/add/", {"username": "made", "password1": "x", "password2": "x"}).status_code
        == 403
    )
    someone.refresh_from_db()
    assert not someone.is_staff and list(someone.memberships.values_list("role", flat=True)) == [Role.APPLICANT]
    assert not User.objects.filter(username="made").exists()


def test_the_security_administrator_manages_accounts_but_not_their_own(three: dict[str, User], world: World) -> None:
    security = three[Role.SECURITY_ADMIN]
    client = as_(security)
    made = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new_clerk",
            "password1": "Anfang-Pass-1",
            "password2": "Anfang-Pass-1",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert made.status_code == 302
    new = User.objects.get(username="new_clerk")
    assert new.must_change_password  # chosen by the security administrator: its owner chooses their own
    # A second-factor reset: the person's authenticator is removed, they enrol a new one at their next sign-in.
    expert = world.person("lost_phone", Role.EXPERT, None).user
    device = authenticator(expert)
    assert client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=expert).exists()
    # Not their own account, roles or authenticator.
    own = authenticator(security)
    assert client.post(f"/admin/accounts/user/{security.pk}/change/", {"username": "secadmin"}).status_code == 403
    assert client.post(f"/admin/otp_totp/totpdevice/{own.pk}/delete/", {"post": "yes"}).status_code == 403
    assert TOTPDevice.objects.filter(pk=own.pk).exists()


def test_the_audit_administrator_changes_nothing(three: dict[str, User], world: World) -> None:
    from zhicheng.accounts.models import SensitiveView

    seen = SensitiveView.objects.create(user=three[Role.SECURITY_ADMIN], role="security_admin", what="x", subject="y")
    client = as_(three[Role.AUDIT_ADMIN])
    assert client.get(f"/admin/accounts/sensitiveview/{seen.pk}/change/").status_code == 200  # read
    for url, data in (
        (f"/admin/accounts/sensitiveview/{seen.pk}/change/", {"what": "改"}),
        (f"/admin/accounts/sensitiveview/{seen.pk}/delete/", {"post": "yes"}),
        ("/admin/accounts/user/add/", {"username": "x"}),
        ("/admin/accounts/organisation/add/", {"name": "x"}),
    ):
        assert client.post(url, data).status_code == 403, url
    seen.refresh_from_db()
    assert seen.what == "x"


def test_no_one_holds_two_administrator_roles_or_one_beside_a_case_role(three: dict[str, User]) -> None:
    from django.core.exceptions import ValidationError as Refused

    from zhicheng.accounts.models import Membership

    for role in (Role.ADMINISTRATOR, Role.AUDIT_ADMIN, Role.COMMITTEE_CLERK):
        second = Membership(
            user=three[Role.SECURITY_ADMIN],
            role=role,
            organisation=Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE)
            if role == Role.COMMITTEE_CLERK
            else None,
        )
        with pytest.raises(Refused, match="三权分立"):
            second.full_clean()


def test_createsuperuser_makes_a_security_administrator_not_an_all_powerful_account(db: Any) -> None:
    first = User.objects.create_superuser("bootstrap", None, "Erst-Passwort-1")
    assert not first.is_superuser and first.is_staff
    assert list(first.memberships.values_list("role", flat=True)) == [Role.SECURITY_ADMIN]


def test_the_security_administrator_lifts_a_pause_the_audit_administrator_only_reads_it(
    three: dict[str, User], world: World
) -> None:
    from axes.models import AccessAttempt

    world.person("paused", Role.EXPERT, None)
    machine = Client(REMOTE_ADDR="192.0.2.50")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(machine, "paused", "wrong")
    assert sign_in(machine, "paused").status_code == 429
    attempt = AccessAttempt.objects.get(username="paused")
    url = f"/admin/axes/accessattempt/{attempt.pk}/delete/"
    assert as_(three[Role.AUDIT_ADMIN]).post(url, {"post": "yes"}).status_code == 403
    assert as_(three[Role.SECURITY_ADMIN]).post(url, {"post": "yes"}).status_code == 302
    assert sign_in(machine, "paused").status_code == 302


def test_the_security_administrator_never_sees_an_authenticators_secret(three: dict[str, User], world: World) -> None:
    expert = world.person("has_phone", Role.EXPERT, None).user
    device = authenticator(expert)
    client = as_(three[Role.SECURITY_ADMIN])
    index = client.get("/admin/").content.decode()
    assert "两步验证" in index and "身份验证器" in index and "登录失败记录" in index and "机构与人员" in index
    for url in ("/admin/otp_totp/totpdevice/", f"/admin/otp_totp/totpdevice/{device.pk}/change/"):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert device.key not in text and secret_text(device).replace(" ", "") not in text.replace(" ", "")
        assert "has_phone" in text and "qrcode" not in text


def test_each_step_of_the_gate_in_its_order(world: World) -> None:
    """A first password is replaced before an authenticator can be enrolled; the password cannot be changed before
    the second factor is proved."""
    user = world.person("fresh_expert", Role.EXPERT, None).user
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client = Client()
    sign_in(client, "fresh_expert")
    assert client.get("/account/second-factor/enrol/")["Location"] == "/account/password/"
    assert client.post("/account/second-factor/enrol/", {"code": "123456"})["Location"] == "/account/password/"
    assert not TOTPDevice.objects.filter(user=user).exists()
    new = {"old_password": PASSWORD, "new_password1": "Eigenes-Pass-7", "new_password2": "Eigenes-Pass-7"}
    assert client.post("/account/password/", new).status_code == 302
    # Now the second factor is due, and the password page waits for it.
    assert client.get("/account/password/")["Location"].startswith("/account/second-factor/enrol/")
    assert client.get("/account/second-factor/enrol/").status_code == 200


def test_a_page_of_text_as_the_user_name_is_a_failed_sign_in_not_an_error_page(db: Any) -> None:
    """The sign-in pause records the user name it is keyed on; one longer than its column (255, PostgreSQL enforces
    it) is cut to a user name's length instead of failing the request."""
    from axes.models import AccessAttempt
    from django.test import Client

    answer = Client().post("/login/", {"username": "超长的内容" * 100, "password": "x"})
    assert answer.status_code in (200, 403)
    assert "用户名或密码" in answer.content.decode() or answer.status_code == 403
    assert AccessAttempt.objects.get().username == ("超长的内容" * 100)[:150]
