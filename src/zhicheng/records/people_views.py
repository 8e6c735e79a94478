"""The pages of enrolment (issue 11, item 2): 人员账号 for an employer's clerk, 账号管理 for the committee office, the
city HR bureau and the security administrator. A first password appears once, in the answer to the POST that made
it (a slip to print and hand over), and is never stored in clear or shown again."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhicheng.accounts.enrolment import ACCOUNT_MANAGERS, OFFICE_OPENS, OFFICES
from zhicheng.accounts.roles import Role
from zhicheng.cases.pages import acting, refused
from zhicheng.cases.refusals import ActionRefused
from zhicheng.documents.workbooks import ImportProblem
from zhicheng.records import people

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 20
CLERKS = frozenset({Role.EMPLOYER_CLERK})


def _slips(request: HttpRequest, opened: Sequence[people.Opened], what: str) -> HttpResponse:
    """The slips to print and hand over; the page is not kept by the browser's cache or history."""
    response = render(
        request,
        "records/people_slips.html",
        {"opened": opened, "what": what, "login_url": request.build_absolute_uri("/login/")},
    )
    response["Cache-Control"] = "no-store"
    return response


def _page(request: HttpRequest, users: object) -> object:
    return Paginator(users, PAGE).get_page(request.GET.get("page"))  # type: ignore[arg-type]


@login_required
def staff(request: HttpRequest) -> HttpResponse:
    """人员账号: the clerk's own staff, paginated, with the enrolment form."""
    actor = acting(request, CLERKS)
    form = {"name": "", "id_number": "", "phone": ""}
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            opened = people.enrol_staff(actor, **form)
        except ActionRefused as exc:
            errors, status = exc.reasons, 400
        else:
            return _slips(request, [opened], "开通账号")
    page = _page(request, people.staff_of(actor))
    context = {"page": page, "form": form, "errors": errors, "organisation": actor.organisation}
    return render(request, "records/people_staff.html", context, status=status)


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    """账号管理: the reviewers' and experts' accounts, opened one at a time or from a workbook."""
    actor = acting(request, ACCOUNT_MANAGERS)
    can_open = actor.role in OFFICES
    form = {"name": "", "phone": "", "role": "", "organisation": "", "area": ""}
    errors: list[str] = []
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if not can_open:
            raise PermissionDenied("只有评委会办公室和市人社局可以开通审核人和评审专家的账号")
        try:
            if request.POST.get("what") == "import":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ImportProblem("请选择要导入的工作簿")
                report = people.import_accounts(actor, upload.read())
                if not report.problems:
                    return _slips(request, report.opened, "导入账号")
                problems, status = report.problems, 400
                messages.error(request, f"有{len(problems)}处问题，未开通任何账号；请改正后重新导入")
            else:
                form = {k: request.POST.get(k, "").strip() for k in form}
                return _slips(request, [people.open_account(actor, **form)], "开通账号")
        except ImportProblem as exc:
            messages.error(request, str(exc))
            status = 400
        except ActionRefused as exc:
            errors, status = exc.reasons, 400
    page = _page(request, people.managed_by(actor))
    context = {
        "page": page,
        "form": form,
        "errors": errors,
        "problems": problems,
        "can_open": can_open,
        "roles": [(r, Role(r).label) for r in OFFICE_OPENS],
    }
    return render(request, "records/people_manage.html", context, status=status)


@login_required
def manage_template(request: HttpRequest) -> HttpResponse:
    acting(request, OFFICES)
    response = HttpResponse(people.import_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="accounts-template.xlsx"'
    return response


def _back(role: str) -> HttpResponse:
    return redirect("people_staff" if role == Role.EMPLOYER_CLERK else "people_manage")


@login_required
@require_POST
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting(request, CLERKS | ACCOUNT_MANAGERS)
    try:
        opened = people.reset_password(actor, pk)
    except people.Forbidden as exc:
        raise PermissionDenied(exc.reasons[0]) from exc
    except ActionRefused as exc:
        refused(request, exc)
        return _back(actor.role)
    return _slips(request, [opened], "重置密码")


@login_required
@require_POST
def disable(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting(request, CLERKS | ACCOUNT_MANAGERS)
    try:
        user = people.disable(actor, pk, request.POST.get("reason", ""))
    except people.Forbidden as exc:
        raise PermissionDenied(exc.reasons[0]) from exc
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(request, f"已停用{user}的账号，该账号不能再登录")
    return _back(actor.role)


@login_required
@require_POST
def enable(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting(request, CLERKS | ACCOUNT_MANAGERS)
    try:
        user = people.enable(actor, pk)
    except people.Forbidden as exc:
        raise PermissionDenied(exc.reasons[0]) from exc
    except ActionRefused as exc:
        refused(request, exc)
    else:
        messages.success(request, f"已重新启用{user}的账号")
    return _back(actor.role)
