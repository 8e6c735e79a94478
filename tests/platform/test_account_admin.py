"""Accounts the way the offices enrol people (issue 11, item 2): an employer's clerk enrols its staff, the office and
the city HR bureau open the reviewers' and experts' accounts singly and from a workbook, first passwords are changed
at the first sign-in, resets and disabling are scoped to the enrolling side, and every step is in the audit trail."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from tests.platform.conftest import PASSWORD, World
from zhicheng.accounts.enrolment import first_password
from zhicheng.accounts.models import Membership, Organisation, User
from zhicheng.accounts.roles import OrgKind, Role
from zhicheng.audit.models import AuditEntry
from zhicheng.records import idnumbers, people
from zhicheng.records.models import Profile

ID_NUMBER = "142201198805120517"  # a valid check digit (the README's 刘洋)
OTHER_ID = "11010519491231002X"
NEW_PASSWORD = "Eigenes-Pass-2024"


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def slip(response: Any) -> tuple[str, str]:
    """The user name and first password printed on the (only) slip of a response."""
    page = response.content.decode()
    username = re.search(r'data-testid="slip-username">([^<]+)<', page)
    password = re.search(r'data-testid="slip-password">([^<]+)<', page)
    assert username and password, page
    return username.group(1), password.group(1)


def clerk_client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def employer(world: World) -> dict[str, Any]:
    org = world.employer("原平市开户测试工程有限公司")
    return {"org": org, "clerk": world.person("hr_clerk", Role.EMPLOYER_CLERK, org)}


@pytest.fixture
def office(world: World) -> Membership:
    return world.person("office_clerk", Role.COMMITTEE_CLERK, Organisation.objects.get(kind=OrgKind.COMMITTEE_OFFICE))


def test_first_passwords_pass_the_platforms_rules() -> None:
    from django.contrib.auth.password_validation import validate_password

    for _ in range(50):
        validate_password(first_password(User(username="13912345678")), User(username="13912345678"))


def test_enrolled_staff_has_a_profile_identity_and_changes_the_first_password(employer: dict[str, Any]) -> None:
    clerk = clerk_client(employer["clerk"])
    assert "人员账号" in clerk.get("/").content.decode()  # in the clerk's navigation
    response = clerk.post("/people/staff/", {"name": "王小明", "id_number": ID_NUMBER, "phone": "139 1234 5678"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    username, password = slip(response)
    assert username == "13912345678"
    user = User.objects.get(username=username)
    assert user.full_name == "王小明" and user.must_change_password and user.enrolled_by == employer["org"]
    assert user.memberships.get().role == Role.APPLICANT and user.memberships.get().organisation == employer["org"]
    profile = Profile.objects.get(user=user)
    assert profile.id_number_digest == idnumbers.digest(ID_NUMBER)
    assert idnumbers.decrypt(profile.id_number_cipher) == ID_NUMBER and ID_NUMBER not in profile.id_number_masked
    assert profile.facts["identity"]["name"] == "王小明"
    assert not user.check_password(PASSWORD) and password not in str(AuditEntry.objects.values_list())
    opened = AuditEntry.objects.get(action="account_opened")
    assert opened.username == "hr_clerk" and "王小明" in opened.summary and ID_NUMBER not in opened.summary
    # The list shows the person with the masked number, never the whole one.
    listing = clerk.get("/people/staff/").content.decode()
    assert "王小明" in listing and profile.id_number_masked in listing and ID_NUMBER not in listing
    assert password not in listing  # the first password is shown once

    person = Client()
    assert sign_in(person, username, password).status_code == 302
    for url in ("/", "/profile/"):
        gated = person.get(url)
        assert gated.status_code == 302 and gated["Location"] == "/account/password/", url
    changed = person.post(
        "/account/password/", {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert changed.status_code == 302
    profile_page = person.get("/profile/")
    assert profile_page.status_code == 200 and profile.id_number_masked in profile_page.content.decode()
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)


def test_an_id_number_already_enrolled_is_refused_and_nothing_is_written(
    employer: dict[str, Any], world: World
) -> None:
    clerk = clerk_client(employer["clerk"])
    clerk.post("/people/staff/", {"name": "王小明", "id_number": ID_NUMBER, "phone": "13912345678"})
    other = world.person("other_clerk", Role.EMPLOYER_CLERK, world.employer("原平市另一测试有限公司"))
    before = (User.objects.count(), Profile.objects.count(), AuditEntry.objects.count())
    again = clerk.post("/people/staff/", {"name": "王晓明", "id_number": ID_NUMBER.lower(), "phone": "13987654321"})
    page = again.content.decode()
    assert again.status_code == 400 and "已登记账号，不能重复开通" in page
    assert 'value="王晓明"' in page and 'value="13987654321"' in page  # what was typed is kept
    # Another employer cannot enrol the same person either (the digest is the person, whatever the employer).
    with pytest.raises(people.ActionRefused, match="已登记账号"):
        people.enrol_staff(other, name="王小明", id_number=ID_NUMBER, phone="13700000000")
    bad = clerk.post("/people/staff/", {"name": "", "id_number": "142201198805120518", "phone": "12345"})
    text = bad.content.decode()
    assert "姓名为空" in text and "校验位" in text and "手机号码须为11位" in text  # every problem at once
    assert (User.objects.count(), Profile.objects.count(), AuditEntry.objects.count()) == before


def test_the_staff_list_is_scoped_paginated_and_its_queries_do_not_grow(employer: dict[str, Any], world: World) -> None:
    stranger_org = world.employer("原平市外单位测试有限公司")
    outsider = people.enrol_staff(
        world.person("outsider_clerk", Role.EMPLOYER_CLERK, stranger_org),
        name="外单位人员",
        id_number=OTHER_ID,
        phone="13600000000",
    )
    clerk = clerk_client(employer["clerk"])

    def enrol(start: int, end: int) -> None:
        for i in range(start, end):
            number = f"14220119900101{i:03d}"
            number += ric_check(number)
            people.enrol_staff(employer["clerk"], name=f"职工{i}", id_number=number, phone=f"1380000{i:04d}")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clerk.get("/people/staff/").status_code == 200
        return len(queries)

    enrol(0, 3)
    few = count()
    enrol(3, 33)  # 33 in all: past the first page
    many = count()
    assert few == many
    page = clerk.get("/people/staff/").content.decode()
    assert "共33个账号，第1/2页" in page and "外单位人员" not in page
    assert "职工32" in page and "职工0<" not in page  # newest first; the first enrolled on page 2
    assert "职工0<" in clerk.get("/people/staff/?page=2").content.decode()
    # The clerk cannot reset or disable another employer's applicant, nor a privileged or any non-applicant account.
    leader = world.person("own_leader", Role.EMPLOYER_LEADER, employer["org"])
    for target in (outsider.user, leader.user, employer["clerk"].user):
        for url in (f"/people/{target.pk}/reset/", f"/people/{target.pk}/disable/"):
            refused = clerk.post(url, {"reason": "离职"})
            assert refused.status_code == 403, url
            assert "本单位申报人" in refused.content.decode() or "自己的账号" in refused.content.decode()
    outsider.user.refresh_from_db()
    assert outsider.user.is_active and outsider.user.check_password(outsider.password)


def ric_check(body: str) -> str:
    from stdnum.cn import ric

    return str(ric.calc_check_digit(body + "0"))  # stdnum takes the whole number, check digit included


def test_a_reset_gives_a_new_first_password_and_a_disabled_account_cannot_sign_in(employer: dict[str, Any]) -> None:
    opened = people.enrol_staff(employer["clerk"], name="李四", id_number=ID_NUMBER, phone="13912345678")
    clerk = clerk_client(employer["clerk"])
    reset = clerk.post(f"/people/{opened.user.pk}/reset/")
    username, password = slip(reset)
    assert password != opened.password
    person = Client()
    assert sign_in(person, username, opened.password).status_code == 200  # the old one no longer opens
    assert sign_in(person, username, password).status_code == 302
    assert person.get("/")["Location"] == "/account/password/"  # must change it again
    assert AuditEntry.objects.filter(action="account_password_reset", username="hr_clerk").exists()

    no_reason = clerk.post(f"/people/{opened.user.pk}/disable/", {"reason": " "})
    assert no_reason.status_code == 302 and "请填写停用原因" in clerk.get("/people/staff/").content.decode()
    assert User.objects.get(pk=opened.user.pk).is_active
    clerk.post(f"/people/{opened.user.pk}/disable/", {"reason": "已离职"})
    user = User.objects.get(pk=opened.user.pk)
    assert not user.is_active and user.disabled_reason == "已离职" and user.disabled_by == employer["clerk"].user
    assert user.disabled_at is not None and Profile.objects.filter(user=user).exists()  # never deleted
    assert person.get("/")["Location"].startswith("/login/")  # the open session ended
    refused = sign_in(Client(), username, password)
    assert refused.status_code == 200 and "该账号已停用，不能登录" in refused.content.decode()
    stranger = sign_in(Client(), username, "Not-The-Password-1")  # a wrong password learns nothing more
    assert "用户名或密码错误" in stranger.content.decode() and "已停用" not in stranger.content.decode()
    listing = clerk.get("/people/staff/").content.decode()
    assert "已停用" in listing and "已离职" in listing
    assert "已停用，不能重置密码" in clerk.post(f"/people/{user.pk}/reset/", follow=True).content.decode()
    entry = AuditEntry.objects.get(action="account_disabled")
    assert entry.payload["reason"] == "已离职" and entry.role == Role.EMPLOYER_CLERK
    # The person comes back: enabled again, they sign in (and still must change the first password).
    assert clerk.post(f"/people/{user.pk}/enable/").status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.disabled_at is None and user.disabled_reason == ""
    assert AuditEntry.objects.get(action="account_enabled").payload["disabled_for"] == "已离职"
    assert sign_in(Client(), username, password).status_code == 302


def test_a_wrong_old_password_is_refused_in_chinese_and_changes_nothing(employer: dict[str, Any]) -> None:
    opened = people.enrol_staff(employer["clerk"], name="赵六", id_number=ID_NUMBER, phone="13912345678")
    person = Client()
    sign_in(person, opened.user.username, opened.password)
    wrong = person.post(
        "/account/password/",
        {"old_password": "Falsch-123456", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and "旧密码不正确" in wrong.content.decode()
    user = User.objects.get(pk=opened.user.pk)
    assert user.check_password(opened.password) and user.must_change_password


def workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "账号"
    ws.append(people.IMPORT_HEADERS)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client: Client, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/people/accounts/", {"what": "import", "file": SimpleUploadedFile("a.xlsx", data)})


def test_a_workbook_with_two_bad_rows_writes_nothing_and_names_both_cells(office: Membership) -> None:
    client = clerk_client(office)
    template = client.get("/people/accounts/template.xlsx")
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert sheet is not None and [c.value for c in sheet[1]] == people.IMPORT_HEADERS
    before = (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count())
    bad = upload(
        client,
        workbook(
            [
                ["张审核", "13911110000", "县（市、区）人社局审核人", "", "原平市"],
                ["李审核", "13911110001", "县（市、区）工信局审核人", "", "不存在县"],  # row 3: no such area
                ["王审核", "13911110002", "市直主管部门审核人", "忻州市水利局", ""],
                ["赵专家", "13911110003", "评审专家", "", ""],
                ["钱审核", "13911110004", "市直主管部门审核人", "原平市人力资源和社会保障局", ""],  # row 6: wrong kind
            ]
        ),
    )
    page = bad.content.decode()
    assert bad.status_code == 400 and "有2处问题，未开通任何账号" in page
    assert "工作表“账号”第3行E列（所在区域）：平台中没有名为“不存在县”的区域" in page
    assert (
        "工作表“账号”第6行D列（机构名称）：“原平市人力资源和社会保障局”是县（市、区）人社局，不能设市直主管部门审核人"
        in page
    )
    assert (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count()) == before


def test_a_good_workbook_opens_the_accounts_with_their_roles_and_organisations(office: Membership) -> None:
    client = clerk_client(office)
    good = upload(
        client,
        workbook(
            [
                ["张审核", "13911110000", "县（市、区）人社局审核人", "", "原平市"],
                ["王审核", 13911110002, "市直主管部门审核人", "忻州市水利局", "忻州市"],  # a number cell
                ["孙审核", "13911110005", "公共就业和人才服务机构审核人", "忻府区公共就业和人才服务中心", ""],
                ["赵专家", "13911110003", "评审专家", "", ""],
            ]
        ),
    )
    assert good.status_code == 200 and good.content.decode().count('data-testid="slip"') == 4
    expected = {
        "13911110000": (Role.COUNTY_HR_REVIEWER, "原平市人力资源和社会保障局"),
        "13911110002": (Role.COMPETENT_DEPARTMENT_REVIEWER, "忻州市水利局"),
        "13911110005": (Role.TALENT_AGENCY_REVIEWER, "忻府区公共就业和人才服务中心"),
        "13911110003": (Role.EXPERT, None),
    }
    for phone, (role, org) in expected.items():
        user = User.objects.get(username=phone)
        membership = user.memberships.get()
        assert membership.role == role and (membership.organisation.name if membership.organisation else None) == org
        assert user.must_change_password and user.enrolled_by == office.organisation
    assert AuditEntry.objects.filter(action="account_opened").count() == 4
    assert AuditEntry.objects.get(action="accounts_import").summary == "从工作簿开通账号4个"
    again = upload(client, workbook([["张审核", "13911110000", "县（市、区）人社局审核人", "", "原平市"]]))
    assert "已开通账号，不能重复开通" in again.content.decode() and User.objects.count() == len(expected) + 1
    listing = client.get("/people/accounts/").content.decode()
    assert "张审核" in listing and "县（市、区）人社局审核人（原平市人力资源和社会保障局）" in listing


def test_the_office_opens_one_account_and_the_expert_enrols_an_authenticator(office: Membership, world: World) -> None:
    client = clerk_client(office)
    response = client.post(
        "/people/accounts/", {"what": "one", "name": "周专家", "phone": "13822223333", "role": Role.EXPERT}
    )
    username, password = slip(response)
    expert = Client()
    sign_in(expert, username, password)
    assert expert.get("/")["Location"] == "/account/password/"  # the password first …
    expert.post(
        "/account/password/", {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert expert.get("/")["Location"].startswith("/account/second-factor/enrol/")  # … then the authenticator
    # The office may not reset an employer's staff, the committee office's own clerks or an administrator.
    applicant = world.person("someone", Role.APPLICANT, world.employer("原平市办公室测试有限公司"))
    other_clerk = world.person("clerk2", Role.COMMITTEE_CLERK, office.organisation)
    for target in (applicant.user, other_clerk.user):
        assert client.post(f"/people/{target.pk}/reset/").status_code == 403
    # A refused single account keeps what was typed and says why.
    refused = client.post(
        "/people/accounts/",
        {"what": "one", "name": "吴审核", "phone": "13822224444", "role": Role.COUNTY_IIT_REVIEWER, "area": "火星"},
    )
    assert refused.status_code == 400 and "平台中没有名为“火星”的区域" in refused.content.decode()
    assert not User.objects.filter(username="13822224444").exists()
    # An applicant reaches neither page.
    applicant_client = clerk_client(applicant)
    assert applicant_client.get("/people/accounts/").status_code == 403
    assert applicant_client.get("/people/staff/").status_code == 403


def test_the_security_administrator_resets_any_account_but_their_own(world: World, office: Membership) -> None:
    security = world.person("sec", Role.SECURITY_ADMIN, None)
    client = clerk_client(security)
    page = client.get("/people/accounts/")
    assert page.status_code == 200 and "从 Excel 工作簿导入" not in page.content.decode()  # resets, does not open
    assert client.post(f"/people/{office.user_id}/reset/").status_code == 200
    assert User.objects.get(pk=office.user_id).must_change_password
    assert client.post(f"/people/{security.user_id}/reset/").status_code == 403
    assert client.post("/people/accounts/", {"what": "one", "name": "x"}).status_code == 403


def test_disabling_in_the_admin_site_keeps_who_and_when_too(world: World, office: Membership) -> None:
    security = world.person("sec", Role.SECURITY_ADMIN, None)
    User.objects.filter(pk=security.user_id).update(is_staff=True)
    client = clerk_client(security)
    target = office.user
    form = {
        "username": target.username,
        "full_name": "办公室职员",
        "email": "",
        "phone": "",
        "disabled_reason": "调离评委会办公室",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }  # is_active unticked
    changed = client.post(f"/admin/accounts/user/{target.pk}/change/", form)
    assert changed.status_code == 302 and changed["Location"] == "/admin/accounts/user/"
    target.refresh_from_db()
    assert not target.is_active and target.disabled_by == security.user and target.disabled_at is not None
    assert target.disabled_reason == "调离评委会办公室"
    assert client.post(f"/admin/accounts/user/{target.pk}/change/", {**form, "is_active": "on"}).status_code == 302
    target.refresh_from_db()
    assert target.is_active and target.disabled_at is None and target.disabled_reason == ""


def test_the_account_list_is_paginated_and_its_queries_do_not_grow(office: Membership) -> None:
    client = clerk_client(office)

    def open_reviewers(start: int, end: int) -> None:
        for i in range(start, end):
            people.open_account(
                office, name=f"审核人{i}", phone=f"1370000{i:04d}", role=Role.COUNTY_HR_REVIEWER, area="原平市"
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/people/accounts/").status_code == 200
        return len(queries)

    open_reviewers(0, 3)
    few = count()
    open_reviewers(3, 45)
    assert count() == few
    page = client.get("/people/accounts/?page=3").content.decode()
    assert "共45个账号，第3/3页" in page and "审核人0<" in page


def test_the_city_hr_bureau_opens_accounts_too_and_an_employer_clerk_cannot(
    world: World, employer: dict[str, Any]
) -> None:
    bureau = world.person("bureau", Role.CITY_HR_OFFICER, Organisation.objects.get(kind=OrgKind.CITY_HR_BUREAU))
    opened = people.open_account(
        bureau,
        name="协会审核人",
        phone="13655556666",
        role=Role.HR_ASSOCIATION_REVIEWER,
        organisation="忻州市人力资源协会",
    )
    assert opened.user.enrolled_by == bureau.organisation and opened.user.memberships.get().organisation is not None
    assert clerk_client(bureau).get("/people/accounts/template.xlsx").status_code == 200
    clerk = clerk_client(employer["clerk"])
    assert clerk.get("/people/accounts/").status_code == 403
    assert clerk.get("/people/accounts/template.xlsx").status_code == 403
    with pytest.raises(people.ActionRefused, match="只有评委会办公室和市人社局"):
        people.open_account(employer["clerk"], name="x", phone="13655557777", role=Role.EXPERT)
    # A role the office does not open (an employer's clerk, an administrator) is refused with the choices named.
    with pytest.raises(people.ActionRefused, match="须为“"):
        people.open_account(bureau, name="y", phone="13655558888", role=Role.SECURITY_ADMIN)


def test_the_database_keeps_one_profile_per_id_number(employer: dict[str, Any], world: World) -> None:
    """Two enrolments of one person at the same instant both pass the service's check; the database refuses the
    second (a race the service's own query cannot see)."""
    from django.db import IntegrityError, transaction

    from zhicheng.records import idnumbers

    people.enrol_staff(employer["clerk"], name="王小明", id_number=ID_NUMBER, phone="13912345678")
    twin = world.person("twin", Role.APPLICANT, employer["org"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(user=twin.user, id_number_digest=idnumbers.digest(ID_NUMBER))
    # Profiles without an ID number yet are many, and allowed.
    for name in ("nobody1", "nobody2"):
        Profile.objects.create(user=world.person(name, Role.APPLICANT, employer["org"]).user)
    assert Profile.objects.filter(id_number_digest="").count() >= 2


def test_an_account_the_security_administrator_stopped_comes_back_only_by_their_hand(
    employer: dict[str, Any], world: World
) -> None:
    security = world.person("sec", Role.SECURITY_ADMIN, None)
    staff = people.enrol_staff(employer["clerk"], name="王小明", id_number=ID_NUMBER, phone="13912345678")
    people.disable(security, staff.user.pk, "账号疑似被盗用")
    with pytest.raises(people.ActionRefused, match="只能由安全管理员重新启用"):
        people.enable(employer["clerk"], staff.user.pk)
    assert not User.objects.get(pk=staff.user.pk).is_active
    people.enable(security, staff.user.pk)
    assert User.objects.get(pk=staff.user.pk).is_active
    # The clerk's own stop, the clerk may lift.
    people.disable(employer["clerk"], staff.user.pk, "离职")
    people.enable(employer["clerk"], staff.user.pk)
    assert User.objects.get(pk=staff.user.pk).is_active
