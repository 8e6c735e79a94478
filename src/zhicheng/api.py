"""The REST surface (django-ninja) over the same service functions as the pages; OpenAPI at /api/openapi.json.

Session authentication (the same sign-in as the pages) with CSRF protection; every query is scoped by the
permission module, so an API client sees exactly what the person sees in the browser.

Every input is bounded (issue 10, finding 8): a body larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE is refused with
413, a body nested deeper than BODY_MAX_DEPTH with 400 before it is parsed, and the fields carry the database's
lengths (policy/facts.py, the models). Every status an operation answers is declared in its ``response=``, so the
published schema is the API's true contract (tests/platform/test_api_fuzz.py checks it with schemathesis).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.params import P, PathEx
from ninja.parser import Parser
from ninja.security import django_auth
from pydantic import Field

from zhicheng.accounts.models import Organisation, User
from zhicheng.applications import services
from zhicheng.applications.models import Publicity
from zhicheng.applications.permissions import visible_applications
from zhicheng.cases.models import Application, ApplicationEvent, DecisionSnapshot
from zhicheng.cases.refusals import ActionRefused
from zhicheng.policy import facts as F
from zhicheng.policy.facts import FactsError
from zhicheng.records.facts import self_check
from zhicheng.records.models import Profile

BODY_MAX_DEPTH = 10  # the facts nest 4 deep (facts → list → entry → value); anything far deeper is not ours
ID_MAX = 2**63 - 1  # a row id the database can hold (bigint); beyond it is no row, never an overflow
# Strings (skipped whole) and brackets. The closing quote is optional so that an unterminated string is consumed once
# to the end (the body is not JSON then anyway) instead of being retried from every later quote (quadratic time).
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


class BodyRefused(Exception):
    """A request body refused before it is parsed; ``status`` and a reason in Chinese."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        super().__init__(reason)


def _too_big() -> BodyRefused:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return BodyRefused(413, f"请求内容过大：不能超过{limit}MB")


def json_body(request: HttpRequest) -> Any:
    """The request body as JSON, within the size Django reads and the depth the platform's data has: a body of
    100,000 ``[`` made Python's JSON parser raise RecursionError, a 500 (issue 10, finding 8)."""
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise _too_big() from exc
    depth = 0
    for token in _TOKENS.finditer(raw):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > BODY_MAX_DEPTH:
                raise BodyRefused(400, f"请求内容嵌套过深：不能超过{BODY_MAX_DEPTH}层")
        elif bracket in (b"]", b"}"):
            depth -= 1
    try:
        return json.loads(raw or b"{}")
    except ValueError as exc:
        raise BodyRefused(400, "请求内容不是有效的 JSON") from exc


class BoundedJsonParser(Parser):
    """Ninja's body parser (https://django-ninja.dev/guides/input/request-parsers) through :func:`json_body`."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json_body(request)


api = NinjaAPI(
    title="职称评审 API", version="1", auth=django_auth, docs_url=None, parser=BoundedJsonParser()
)  # cookie auth checks CSRF


class Detail(Schema):
    """Every refusal: a reason in Chinese."""

    detail: str


class Invalid(Schema):
    """A request that does not fit the schema (ninja's 422): each problem with its location."""

    detail: list[dict[str, Any]]


@api.exception_handler(HttpError)
def _refused(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja wraps any parser error as 400 "Cannot parse request body"; the body's own reason and status are kept.
    cause = exc.__cause__
    if isinstance(cause, BodyRefused):
        return api.create_response(request, {"detail": str(cause)}, status=cause.status)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big_body(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Ninja reads the body (to see whether there is one) before the parser does.
    refused = _too_big()
    return api.create_response(request, {"detail": str(refused)}, status=refused.status)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [{**e, "msg": f"请求参数不符合接口定义：{e.get('msg', '')}"} for e in exc.errors]
    return api.create_response(request, {"detail": errors}, status=422)


# What every operation may answer besides its success: not signed in (401), no role or no right, or a cross-site
# request without the CSRF token (403). Operations with a body add the body's refusals.
SIGNED_IN: dict[int, Any] = {401: Detail, 403: Detail}
WITH_BODY: dict[int, Any] = {**SIGNED_IN, 400: Detail, 413: Detail, 422: Invalid}
ApplicationId = PathEx[int, P(ge=1, le=ID_MAX)]
OrganisationId = Annotated[int, Field(ge=1, le=ID_MAX)]


def _db_max(model: Any, name: str) -> int:
    """A model field's max_length: the API's limit is the database's."""
    return int(model._meta.get_field(name).max_length)


class ApplicationOut(Schema):
    id: int
    year: int
    level: str
    specialty_category: int
    specialty_name: str
    path: str
    state: str
    step: int
    route: str
    employer: str
    applicant: str


class ActionIn(Schema):
    reason: Annotated[str, Field(max_length=F.LONG_TEXT_MAX)] = ""
    to: Literal["applicant", "employer"] = "applicant"


class Problem(Schema):
    path: str
    reason: str


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise HttpError(401, "请先登录")
    return request.user


def _membership(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise HttpError(403, "当前账号没有任何角色")
    return membership


def _out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "year": a.year,
        "level": a.level,
        "specialty_category": a.specialty_category,
        "specialty_name": a.specialty_name,
        "path": a.path,
        "state": a.state,
        "step": a.step,
        "route": a.route,
        "employer": a.employer.name,
        "applicant": str(a.applicant),
    }


@api.get("/applications", response={200: list[ApplicationOut], **SIGNED_IN}, summary="可查看的申报")
def list_applications(request: HttpRequest) -> list[dict[str, Any]]:
    qs = visible_applications(_membership(request)).select_related("employer", "applicant").order_by("pk")
    return [_out(a) for a in qs]


@api.get(
    "/applications/{application_id}",
    response={200: dict[str, Any], **SIGNED_IN, 404: Detail, 422: Invalid},
    summary="一份申报及其最近一次条件核查",
)
def get_application(request: HttpRequest, application_id: ApplicationId) -> dict[str, Any]:
    a = (
        visible_applications(_membership(request))
        .select_related("employer", "applicant")
        .filter(pk=application_id)
        .first()
    )
    if a is None:
        raise HttpError(404, "申报不存在或无权查看")
    snapshot = DecisionSnapshot.objects.filter(application=a).last()
    return _out(a) | {
        "decision": None
        if snapshot is None
        else {
            "stage": snapshot.stage,
            "pack": snapshot.pack,
            "pack_version": snapshot.pack_version,
            "outcome": snapshot.outcome,
            "path_outcome": snapshot.path_outcome,
            "decision": snapshot.decision,
        },
        "events": [
            {
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "role": e.role,
                "reason": e.reason,
                "at": e.at.isoformat(),
            }
            for e in a.events.all()
        ],
    }


@api.post(
    "/applications/{application_id}/actions/{action}",
    response={200: ApplicationOut, **WITH_BODY, 409: Detail},
    summary="办理（提交、推荐、审核通过、退回、不予推荐……）",
)
def act(
    request: HttpRequest,
    application_id: ApplicationId,
    action: PathEx[str, P(max_length=_db_max(ApplicationEvent, "action"))],
    body: ActionIn,
) -> dict[str, Any]:
    try:
        application = services.perform(_membership(request), application_id, action, reason=body.reason, to=body.to)
    except ActionRefused as exc:
        raise HttpError(409, "；".join(exc.reasons)) from exc
    return _out(application)


@api.get("/profile", response={200: dict[str, Any], **SIGNED_IN}, summary="本人申报信息（身份证号码脱敏）")
def get_profile(request: HttpRequest) -> dict[str, Any]:
    profile = Profile.objects.filter(user=_user(request)).first()
    if profile is None:
        return {"facts": {}, "id_number": None}
    return {"facts": profile.facts, "id_number": profile.id_number_masked or None}


@api.put(
    "/profile",
    response={200: dict[str, Any], **WITH_BODY, 422: list[Problem]},
    summary="保存本人申报信息（整体校验，有误则不保存）",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "description": "Facts (zhicheng schema)"}}},
        }
    },
)
def put_profile(request: HttpRequest) -> Any:
    if _membership(request).role != "applicant":
        raise HttpError(403, "只有申报人可以填写申报人信息")
    try:
        facts = json_body(request)
    except BodyRefused as exc:
        return Status(exc.status, {"detail": str(exc)})
    try:
        profile = services.save_profile(_user(request), facts)
    except FactsError as exc:
        return Status(422, [{"path": p, "reason": r} for p, r in exc.problems])
    return Status(200, {"facts": profile.facts, "id_number": profile.id_number_masked or None})


@api.get("/profile/check", response={200: dict[str, Any], **SIGNED_IN, 404: Detail}, summary="申报条件自查")
def check_profile(request: HttpRequest) -> dict[str, Any]:
    profile = Profile.objects.filter(user=_user(request)).first()
    if profile is None or not profile.facts:
        raise HttpError(404, "尚未填写申报人信息")
    return self_check(profile).to_dict()


class ApplicationIn(Schema):
    level: F.SoughtLevel
    path: Annotated[str, Field(max_length=_db_max(Application, "path"))]
    employment_kind: Literal["employee", "dispatched", "freelancer"] = "employee"
    archives: Literal["agency", "none", "elsewhere"] = "none"
    archive_agency: OrganisationId | None = None
    dispatch_agency: OrganisationId | None = None
    personnel_agency: OrganisationId | None = None


def _org(pk: int | None) -> Organisation | None:
    return None if pk is None else Organisation.objects.filter(pk=pk).first()


@api.post("/applications", response={201: ApplicationOut, **WITH_BODY, 409: Detail}, summary="新建申报（申报人本人）")
def create_application(request: HttpRequest, body: ApplicationIn) -> Any:
    actor = _membership(request)
    if actor.organisation is None:
        raise HttpError(409, "账号未关联用人单位或人事代理机构")
    try:
        app = services.create_application(
            actor,
            level=body.level,
            path=body.path,
            employer=actor.organisation,
            area=actor.organisation.area,
            employment_kind=body.employment_kind,
            archives=body.archives,
            archive_agency=_org(body.archive_agency),
            dispatch_agency=_org(body.dispatch_agency),
            personnel_agency=_org(body.personnel_agency),
        )
    except ActionRefused as exc:
        raise HttpError(409, "；".join(exc.reasons)) from exc
    return Status(201, _out(app))


Day = Annotated[dt.date, Field(ge=dt.date(F.YEAR_MIN, 1, 1), le=dt.date(F.YEAR_MAX, 12, 31))]
Text = Annotated[str, Field(max_length=F.LONG_TEXT_MAX)]


class PanelMember(Schema):
    name: Annotated[str, Field(max_length=F.NAME_MAX)]
    kind: Literal[tuple(services.PANEL_KINDS)]  # type: ignore[valid-type]


class PeerReviewIn(Schema):
    held_on: Day
    members: Annotated[list[PanelMember], Field(max_length=F.LIST_MAX)]
    opinion: Text


class PublicityIn(Schema):
    kind: Literal[tuple(Publicity.Kind.values)]  # type: ignore[valid-type]
    starts_on: Day
    explanation: Text


class AppraisalIn(Schema):
    ethics: Text
    clauses: Annotated[list[Annotated[str, Field(max_length=F.SHORT_TEXT_MAX)]], Field(max_length=F.LIST_MAX)]
    peer_review_followed: bool


def _record(fn: Any) -> dict[str, str]:
    try:
        fn()
    except ActionRefused as exc:
        raise HttpError(409, "；".join(exc.reasons)) from exc
    return {"detail": "已保存"}


RECORDED = {200: Detail, **SIGNED_IN, 409: Detail, 422: Invalid}
RECORDED_WITH_BODY = {200: Detail, **WITH_BODY, 409: Detail}


@api.post("/applications/{application_id}/pledge", response=RECORDED, summary="申报人承诺（双承诺）")
def applicant_pledge(request: HttpRequest, application_id: ApplicationId) -> dict[str, str]:
    return _record(lambda: services.applicant_pledge(_membership(request), application_id))


@api.post("/applications/{application_id}/peer-review", response=RECORDED_WITH_BODY, summary="用人单位：民主评议")
def peer_review(request: HttpRequest, application_id: ApplicationId, body: PeerReviewIn) -> dict[str, str]:
    return _record(
        lambda: services.record_peer_review(
            _membership(request),
            application_id,
            held_on=body.held_on,
            members=[m.dict() for m in body.members],
            opinion=body.opinion,
        )
    )


@api.post("/applications/{application_id}/publicities", response=RECORDED_WITH_BODY, summary="用人单位：三公示之一")
def publicity(request: HttpRequest, application_id: ApplicationId, body: PublicityIn) -> dict[str, str]:
    return _record(
        lambda: services.post_publicity(
            _membership(request), application_id, kind=body.kind, starts_on=body.starts_on, explanation=body.explanation
        )
    )


@api.post("/applications/{application_id}/appraisal", response=RECORDED_WITH_BODY, summary="用人单位：鉴定意见")
def appraisal(request: HttpRequest, application_id: ApplicationId, body: AppraisalIn) -> dict[str, str]:
    return _record(
        lambda: services.record_appraisal(
            _membership(request),
            application_id,
            ethics=body.ethics,
            clauses=body.clauses,
            peer_review_followed=body.peer_review_followed,
        )
    )


@api.post("/applications/{application_id}/appraisal/confirm", response=RECORDED, summary="单位负责人确认鉴定意见")
def confirm(request: HttpRequest, application_id: ApplicationId) -> dict[str, str]:
    return _record(lambda: services.confirm_appraisal(_membership(request), application_id))


@api.post("/applications/{application_id}/employer-pledge", response=RECORDED, summary="单位承诺（双承诺）")
def employer_pledge(request: HttpRequest, application_id: ApplicationId) -> dict[str, str]:
    return _record(lambda: services.employer_pledge(_membership(request), application_id))


class IdNumberOut(Schema):
    id_number: str


@api.post(
    "/applications/{application_id}/id-number",
    response={200: IdNumberOut, **SIGNED_IN, 404: Detail, 422: Invalid},
    summary="查看完整身份证号码（仅限有权角色，每次查看均记录）",
)
def id_number(request: HttpRequest, application_id: ApplicationId) -> dict[str, str]:
    actor = _membership(request)
    app = visible_applications(actor).filter(pk=application_id).first()
    if app is None:
        raise HttpError(404, "申报不存在或无权查看")
    try:
        return {"id_number": services.reveal_id_number(actor, app)}
    except ActionRefused as exc:
        raise HttpError(403, exc.reasons[0]) from exc
