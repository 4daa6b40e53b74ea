"""The read-and-trigger JSON API under /api/v1/.

Every object is reached through projects.access, so another team's project or audit is a 404
and queueing an audit below the member role is a 403, exactly as on the pages.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import ApiTokenAuthentication
from api.serializers import (
    AuditSerializer,
    ConnectProjectSerializer,
    FindingSerializer,
    IgnoreRuleSerializer,
    InventorySerializer,
    ProjectSerializer,
    QueueAuditSerializer,
    TriageResultSerializer,
    TriageSerializer,
)
from projects import pipeline
from projects.access import get_audit_for_user, get_finding_for_user, get_repository_for_user, repositories_for
from projects.forms import RepositoryForm
from projects.models import Audit, Finding
from reports import fragments
from reports.exports import inventory_json
from reports.queries import LEGACY_SUPPRESSED, STATES, FindingFilters
from teams.access import get_membership, request_memberships
from teams.models import Role
from triage import services as triage
from triage import state as finding_state

AUTH = [ApiTokenAuthentication, SessionAuthentication]


def paginated(serializer_class):
    """The schema of a page of results, as _paginated answers (not a bare array)."""
    name = serializer_class.__name__.removesuffix("Serializer")
    return inline_serializer(
        name=f"Paginated{name}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _paginated(request: Request, queryset, serializer_class, **context) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request)
    data = serializer_class(page, many=True, context={"request": request, **context}).data
    return paginator.get_paginated_response(data)


def api_endpoint(*methods: str):
    """api_view with this API's authentication (personal tokens, or the session) and permission classes."""

    def wrap(view):
        view = permission_classes([IsAuthenticated])(view)
        view = authentication_classes(AUTH)(view)
        return api_view(list(methods))(view)

    return wrap


API_ROOT = {
    "projects": "api_projects",
    "schema": "api_schema",
    "docs": "api_docs",
}


@extend_schema(
    summary="The API's entry points",
    responses=inline_serializer("ApiRoot", {name: serializers.URLField() for name in API_ROOT}),
)
@api_endpoint("GET")
def api_root(request: Request) -> Response:
    """Links to the collections; everything else is reached from them (see the schema)."""
    return Response({name: request.build_absolute_uri(reverse(route)) for name, route in API_ROOT.items()})


@extend_schema(
    methods=["GET"],
    operation_id="projects_list",
    summary="Projects (connected repositories) of your teams",
    parameters=[OpenApiParameter("team", OpenApiTypes.INT, description="Only this team's projects")],
    responses=paginated(ProjectSerializer),
)
@extend_schema(
    methods=["POST"],
    operation_id="projects_create",
    summary="Connect a repository (admin role): checked as the connect form checks it, first audit queued",
    request=ConnectProjectSerializer,
    responses={201: ProjectSerializer},
)
@api_endpoint("GET", "POST")
def project_list(request: Request) -> Response:
    if request.method == "POST":
        return _connect(request)
    repositories = repositories_for(request).select_related("team", "last_audit").order_by("name", "id")
    team = request.query_params.get("team")
    if team:
        if not team.isdigit():
            return Response({"team": ["Must be a team id."]}, status=status.HTTP_400_BAD_REQUEST)
        repositories = repositories.filter(team_id=int(team))
    return _paginated(request, repositories, ProjectSerializer)


def _connect(request: Request) -> Response:
    body = ConnectProjectSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = dict(body.validated_data)
    team_id = data.pop("team", None)
    if team_id is None:
        memberships = request_memberships(request)  # type: ignore[arg-type]
        if len(memberships) != 1:
            return Response({"team": ["You are in several teams (or none): say which one."]},
                            status=status.HTTP_400_BAD_REQUEST)
        team_id = memberships[0].team_id
    membership = get_membership(request, team_id, Role.ADMIN)  # type: ignore[arg-type]
    form = RepositoryForm(data, team=membership.team)
    if not form.is_valid():
        return Response(form.errors.get_json_data(), status=status.HTTP_400_BAD_REQUEST)
    repository = form.save(commit=False)
    repository.created_by = request.user
    repository.save()
    pipeline.queue_audit(repository, Audit.Trigger.API, user=request.user)
    return Response(ProjectSerializer(repository, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="One project", responses=ProjectSerializer)
@api_endpoint("GET")
def project_detail(request: Request, pk: int) -> Response:
    repository = get_repository_for_user(request, pk)
    return Response(ProjectSerializer(repository, context={"request": request}).data)


@extend_schema(
    methods=["GET"],
    operation_id="projects_audits_list",
    summary="Audits of a project, newest first",
    responses=paginated(AuditSerializer),
)
@extend_schema(
    methods=["POST"],
    summary="Queue an audit of the project (member role or higher)",
    request=QueueAuditSerializer,
    responses={202: AuditSerializer},
)
@api_endpoint("GET", "POST")
def project_audits(request: Request, pk: int) -> Response:
    if request.method == "POST":
        repository = get_repository_for_user(request, pk, Role.MEMBER)
        body = QueueAuditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        audit = pipeline.queue_audit(
            repository, Audit.Trigger.API, user=request.user, force=body.validated_data["force"]
        )
        return Response(AuditSerializer(audit, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)
    repository = get_repository_for_user(request, pk)
    audits = Audit.objects.filter(repository=repository).order_by("-created_at", "-id")
    return _paginated(request, audits, AuditSerializer)


@extend_schema(summary="One audit", responses=AuditSerializer)
@api_endpoint("GET")
def audit_detail(request: Request, pk: int) -> Response:
    audit = get_audit_for_user(request, pk)
    return Response(AuditSerializer(audit, context={"request": request}).data)


@extend_schema(
    operation_id="audits_findings_list",
    summary="Findings of an audit, paginated and filterable",
    parameters=[
        OpenApiParameter("severity", OpenApiTypes.STR, enum=["error", "warning", "info"]),
        OpenApiParameter("rule", OpenApiTypes.STR, description="A rule id, e.g. auth/public-mutation-without-auth"),
        OpenApiParameter("path", OpenApiTypes.STR, description="This file, or the files in this folder (convex/lib)"),
        OpenApiParameter("status", OpenApiTypes.STR, enum=Finding.Status.values,
                         description="Against the audit's baseline"),
        OpenApiParameter(
            "state",
            OpenApiTypes.STR,
            enum=list(STATES),
            description="The effective state; open (default): the findings that count",
        ),
        OpenApiParameter(
            "suppressed",
            OpenApiTypes.STR,
            enum=list(LEGACY_SUPPRESSED),
            deprecated=True,
            description="Use state: hide is state=open, include is state=all, only is state=suppressed",
        ),
        OpenApiParameter("page", OpenApiTypes.INT),
        OpenApiParameter("page_size", OpenApiTypes.INT, description="At most 500; default 50"),
    ],
    responses=paginated(FindingSerializer),
)
@api_endpoint("GET")
def audit_findings(request: Request, pk: int) -> Response:
    audit = get_audit_for_user(request, pk)
    errors = FindingFilters.errors(request.query_params)
    if errors:
        return Response(errors, status=status.HTTP_400_BAD_REQUEST)
    filters = FindingFilters.from_query(request.query_params)
    findings = filters.apply(Finding.objects.filter(audit_id=audit.result.pk))
    book = finding_state.book_for(audit.repository_id)
    if audit.state != Audit.State.DONE:
        return _paginated(request, findings, FindingSerializer, audit=audit, book=book)
    # A done audit's findings never change: each page is serialized once (reports.fragments).
    pagination = Pagination()
    size = pagination.get_page_size(request)
    number = request.query_params.get(pagination.page_query_param) or "1"

    def serialize() -> tuple[int, int, list]:
        page = pagination.paginate_queryset(findings, request)
        data = FindingSerializer(page, many=True, context={"request": request, "audit": audit, "book": book}).data
        return pagination.page.paginator.count, pagination.page.number, list(data)

    inputs = [*fragments.finished_audit_inputs(audit), filters.as_query(), size, number, book.digest()]
    count, page_number, data = fragments.cached("api-findings", inputs, serialize)
    if not hasattr(pagination, "page"):  # served from the cache: the links need the page's place
        pagination.request = request
        pagination.page = Paginator(range(count), size).page(page_number)
    return pagination.get_paginated_response(data)


@extend_schema(summary="What the engine saw at an audit: functions, routes, schema, index map, crons",
               responses=InventorySerializer)
@api_endpoint("GET")
def audit_inventory(request: Request, pk: int) -> Response:
    audit = get_audit_for_user(request, pk)
    inventory = audit.result_inventory()
    if inventory is None:
        raise Http404("This audit has no inventory (it is not done, or it failed).")
    return Response({"audit": audit.pk, **inventory_json(inventory)})


@extend_schema(
    summary="Triage a finding (member role): open, accepted_risk or false_positive; dismissing needs a comment",
    request=TriageSerializer,
    responses={200: TriageResultSerializer},
    tags=["triage"],
)
@api_endpoint("POST")
def finding_triage(request: Request, pk: int) -> Response:
    finding = get_finding_for_user(request, pk, Role.MEMBER)  # type: ignore[arg-type]
    body = TriageSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    repository = finding.audit.repository
    state, comment = body.validated_data["state"], body.validated_data["comment"]
    changed = triage.state_of(repository.pk, finding.fingerprint) != state
    if changed:
        try:
            triage.decide(repository, finding.fingerprint, state, user=request.user, comment=comment, finding=finding)
        except ValidationError as error:
            return Response({"comment": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        triage.refresh_gate(repository)
    finding.refresh_from_db()
    audit = finding.audit
    data = {
        "fingerprint": finding.fingerprint,
        "state": state,
        "comment": comment,
        "changed": changed,
        "finding": FindingSerializer(finding, context={"request": request, "audit": audit}).data,
    }
    return Response(data)


@extend_schema(methods=["GET"], summary="A project's ignore rules", responses=IgnoreRuleSerializer(many=True),
               tags=["triage"])
@extend_schema(
    methods=["POST"],
    summary="Add an ignore rule (admin role): findings of a rule id or glob in matching paths stop counting",
    request=IgnoreRuleSerializer,
    responses={201: IgnoreRuleSerializer},
    tags=["triage"],
)
@api_endpoint("GET", "POST")
def project_ignore_rules(request: Request, pk: int) -> Response:
    if request.method == "POST":
        repository = get_repository_for_user(request, pk, Role.ADMIN)  # type: ignore[arg-type]
        body = IgnoreRuleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not body.validated_data["reason"].strip():
            return Response({"reason": ["Say why these findings are ignored."]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            rule = triage.add_ignore_rule(repository, user=request.user, **body.validated_data)
        except ValidationError as error:
            return Response({"rule": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        triage.refresh_gate(repository)
        return Response(IgnoreRuleSerializer(rule).data, status=status.HTTP_201_CREATED)
    repository = get_repository_for_user(request, pk)  # type: ignore[arg-type]
    return Response(IgnoreRuleSerializer(repository.ignore_rules.all(), many=True).data)  # type: ignore[attr-defined]


@extend_schema(summary="Remove an ignore rule (admin role)", responses={204: None}, tags=["triage"])
@api_endpoint("DELETE")
def project_ignore_rule(request: Request, pk: int, rule_id: int) -> Response:
    repository = get_repository_for_user(request, pk, Role.ADMIN)  # type: ignore[arg-type]
    rule = repository.ignore_rules.filter(pk=rule_id).first()  # type: ignore[attr-defined]
    if rule is None:
        raise Http404("No such ignore rule")
    triage.remove_ignore_rule(rule)
    triage.refresh_gate(repository)
    return Response(status=status.HTTP_204_NO_CONTENT)
