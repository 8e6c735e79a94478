"""The REST surface (django-ninja) over the same service functions as the pages; OpenAPI at /api/openapi.json.

Session authentication (the same sign-in as the pages) with CSRF protection; every query is scoped by the
permission module, so an API client sees exactly what the person sees in the browser.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from zhicheng.accounts.models import Organisation, User
from zhicheng.applications import services
from zhicheng.applications.permissions import visible_applications
from zhicheng.cases.models import DecisionSnapshot
from zhicheng.cases.refusals import ActionRefused
from zhicheng.policy.facts import FactsError
from zhicheng.records.facts import self_check
from zhicheng.records.models import Profile

api = NinjaAPI(title="职称评审 API", version="1", auth=django_auth, docs_url=None)  # cookie auth checks CSRF


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
    reason: str = ""
    to: str = "applicant"


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


@api.get("/applications", response=list[ApplicationOut], summary="可查看的申报")
def list_applications(request: HttpRequest) -> list[dict[str, Any]]:
    qs = visible_applications(_membership(request)).select_related("employer", "applicant").order_by("pk")
    return [_out(a) for a in qs]


@api.get("/applications/{application_id}", summary="一份申报及其最近一次条件核查")
def get_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
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
    response=ApplicationOut,
    summary="办理（提交、推荐、审核通过、退回、不予推荐……）",
)
def act(request: HttpRequest, application_id: int, action: str, body: ActionIn) -> dict[str, Any]:
    try:
        application = services.perform(_membership(request), application_id, action, reason=body.reason, to=body.to)
    except ActionRefused as exc:
        raise HttpError(409, "；".join(exc.reasons)) from exc
    return _out(application)


@api.get("/profile", summary="本人申报信息（身份证号码脱敏）")
def get_profile(request: HttpRequest) -> dict[str, Any]:
    profile = Profile.objects.filter(user=_user(request)).first()
    if profile is None:
        return {"facts": {}, "id_number": None}
    return {"facts": profile.facts, "id_number": profile.id_number_masked or None}


@api.put(
    "/profile",
    response={200: dict, 422: list[Problem]},
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
        facts = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise HttpError(400, "请求内容不是有效的 JSON") from exc
    try:
        profile = services.save_profile(_user(request), facts)
    except FactsError as exc:
        return Status(422, [{"path": p, "reason": r} for p, r in exc.problems])
    return Status(200, {"facts": profile.facts, "id_number": profile.id_number_masked or None})


@api.get("/profile/check", summary="申报条件自查")
def check_profile(request: HttpRequest) -> dict[str, Any]:
    profile = Profile.objects.filter(user=_user(request)).first()
    if profile is None or not profile.facts:
        raise HttpError(404, "尚未填写申报人信息")
    return self_check(profile).to_dict()


class ApplicationIn(Schema):
    level: str
    path: str
    employment_kind: str = "employee"
    archives: str = "none"
    archive_agency: int | None = None
    dispatch_agency: int | None = None
    personnel_agency: int | None = None


def _org(pk: int | None) -> Organisation | None:
    return None if pk is None else Organisation.objects.filter(pk=pk).first()


@api.post("/applications", response={201: ApplicationOut}, summary="新建申报（申报人本人）")
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


class PeerReviewIn(Schema):
    held_on: dt.date
    members: list[dict[str, str]]
    opinion: str


class PublicityIn(Schema):
    kind: str
    starts_on: dt.date
    explanation: str


class AppraisalIn(Schema):
    ethics: str
    clauses: list[str]
    peer_review_followed: bool


def _record(fn: Any) -> dict[str, str]:
    try:
        fn()
    except ActionRefused as exc:
        raise HttpError(409, "；".join(exc.reasons)) from exc
    return {"detail": "已保存"}


@api.post("/applications/{application_id}/pledge", summary="申报人承诺（双承诺）")
def applicant_pledge(request: HttpRequest, application_id: int) -> dict[str, str]:
    return _record(lambda: services.applicant_pledge(_membership(request), application_id))


@api.post("/applications/{application_id}/peer-review", summary="用人单位：民主评议")
def peer_review(request: HttpRequest, application_id: int, body: PeerReviewIn) -> dict[str, str]:
    return _record(
        lambda: services.record_peer_review(
            _membership(request), application_id, held_on=body.held_on, members=body.members, opinion=body.opinion
        )
    )


@api.post("/applications/{application_id}/publicities", summary="用人单位：三公示之一")
def publicity(request: HttpRequest, application_id: int, body: PublicityIn) -> dict[str, str]:
    return _record(
        lambda: services.post_publicity(
            _membership(request), application_id, kind=body.kind, starts_on=body.starts_on, explanation=body.explanation
        )
    )


@api.post("/applications/{application_id}/appraisal", summary="用人单位：鉴定意见")
def appraisal(request: HttpRequest, application_id: int, body: AppraisalIn) -> dict[str, str]:
    return _record(
        lambda: services.record_appraisal(
            _membership(request),
            application_id,
            ethics=body.ethics,
            clauses=body.clauses,
            peer_review_followed=body.peer_review_followed,
        )
    )


@api.post("/applications/{application_id}/appraisal/confirm", summary="单位负责人确认鉴定意见")
def confirm(request: HttpRequest, application_id: int) -> dict[str, str]:
    return _record(lambda: services.confirm_appraisal(_membership(request), application_id))


@api.post("/applications/{application_id}/employer-pledge", summary="单位承诺（双承诺）")
def employer_pledge(request: HttpRequest, application_id: int) -> dict[str, str]:
    return _record(lambda: services.employer_pledge(_membership(request), application_id))


@api.post("/applications/{application_id}/id-number", summary="查看完整身份证号码（仅限有权角色，每次查看均记录）")
def id_number(request: HttpRequest, application_id: int) -> dict[str, str]:
    actor = _membership(request)
    app = visible_applications(actor).filter(pk=application_id).first()
    if app is None:
        raise HttpError(404, "申报不存在或无权查看")
    try:
        return {"id_number": services.reveal_id_number(actor, app)}
    except ActionRefused as exc:
        raise HttpError(403, exc.reasons[0]) from exc
