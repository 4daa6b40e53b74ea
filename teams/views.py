from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from teams.access import SESSION_KEY, get_membership, request_memberships, set_current_team
from teams.forms import InviteForm, RoleForm, TeamForm
from teams.models import Invitation, Membership, Role


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            team = form.save()
            membership = Membership.objects.create(team=team, user=request.user, role=Role.OWNER)
        set_current_team(request, membership)
        messages.success(request, f"Created the team {team.name}.")
        return redirect("team_members", team.pk)
    return render(request, "teams/team_list.html", {"memberships": request_memberships(request), "form": form})


@login_required
@require_POST
def team_switch(request: HttpRequest) -> HttpResponse:
    try:
        team_id = int(request.POST.get("team", ""))
    except ValueError:
        raise Http404("No such team") from None
    set_current_team(request, get_membership(request, team_id))
    return redirect("index")


@login_required
def team_members(request: HttpRequest, team_id: int) -> HttpResponse:
    membership = get_membership(request, team_id)
    team = membership.team
    invite_form = InviteForm(membership=membership) if membership.can_manage_members else None
    context = {
        "membership": membership,
        "team": team,
        "members": team.memberships.select_related("user").order_by("user__email"),
        "invitations": team.invitations.filter(accepted_at__isnull=True) if membership.can_manage_members else [],
        "invite_form": invite_form,
        "role_choices": Role.choices if membership.can_manage_team else [c for c in Role.choices if c[0] != Role.OWNER],
    }
    return render(request, "teams/members.html", context)


def _send_invitation(request: HttpRequest, invitation: Invitation) -> None:
    link = request.build_absolute_uri(reverse("team_invite_accept", args=[invitation.make_token()]))
    context = {
        "invitation": invitation,
        "link": link,
        "days": settings.AUDITOR_INVITE_MAX_AGE // 86400,
        "inviter": request.user,
    }
    send_mail(
        f"{request.user.email} invited you to {invitation.team.name} on {settings.SITE_NAME}",
        render_to_string("teams/email/invitation.txt", context),
        None,
        [invitation.email],
    )


@login_required
@require_POST
def team_invite(request: HttpRequest, team_id: int) -> HttpResponse:
    membership = get_membership(request, team_id, Role.ADMIN)
    form = InviteForm(request.POST, membership=membership)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("team_members", team_id)
    invitation = Invitation.objects.create(
        team=membership.team, email=form.cleaned_data["email"], role=form.cleaned_data["role"], invited_by=request.user
    )
    _send_invitation(request, invitation)
    messages.success(request, f"Sent an invitation to {invitation.email}.")
    return redirect("team_members", team_id)


@login_required
@require_POST
def team_invite_revoke(request: HttpRequest, team_id: int, invitation_id: int) -> HttpResponse:
    membership = get_membership(request, team_id, Role.ADMIN)
    invitation = get_object_or_404(membership.team.invitations, pk=invitation_id, accepted_at__isnull=True)
    invitation.delete()
    messages.success(request, f"Revoked the invitation of {invitation.email}.")
    return redirect("team_members", team_id)


PENDING_INVITATION = "pending_invitation"


def team_invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. Signed out, it says what the invitation is and keeps it in the session,
    so signing in or signing up comes back here (accounts.adapter); signed in, it joins."""
    try:
        invitation = Invitation.from_token(token)
    except signing.SignatureExpired:
        return render(request, "teams/invite_invalid.html", {"reason": "This invitation has expired."}, status=400)
    except (signing.BadSignature, Invitation.DoesNotExist):
        return render(
            request, "teams/invite_invalid.html", {"reason": "This invitation link is not valid."}, status=400
        )
    if invitation.accepted_at is not None:
        return render(request, "teams/invite_invalid.html", {"reason": "This invitation was already used."}, status=400)
    if not request.user.is_authenticated:
        request.session[PENDING_INVITATION] = token
        here = reverse("team_invite_accept", args=[token])
        return render(request, "teams/invite_signin.html", {
            "invitation": invitation,
            "login_url": f"{reverse('account_login')}?{urlencode({'next': here})}",
            "signup_url": f"{reverse('account_signup')}?{urlencode({'next': here})}",
            "has_account": User.objects.filter(email__iexact=invitation.email).exists(),
        })
    if invitation.email.lower() != request.user.email.lower():
        return render(
            request,
            "teams/invite_invalid.html",
            {"reason": f"This invitation is for {invitation.email}; you are signed in as {request.user.email}."},
            status=403,
        )
    if request.method == "POST":
        with transaction.atomic():
            # The conditional update makes a double submit accept once.
            claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
                accepted_at=timezone.now(), accepted_by=request.user
            )
            if claimed:
                membership, _ = Membership.objects.get_or_create(
                    team=invitation.team, user=request.user, defaults={"role": invitation.role}
                )
                set_current_team(request, membership)
        request.session.pop(PENDING_INVITATION, None)
        messages.success(request, f"You joined {invitation.team.name}.")
        return redirect("index")
    return render(request, "teams/invite_accept.html", {"invitation": invitation})


def _owner_count(team_id: int) -> int:
    return Membership.objects.filter(team_id=team_id, role=Role.OWNER).count()


def _target(request: HttpRequest, team_id: int, membership_id: int) -> tuple[Membership, Membership]:
    actor = get_membership(request, team_id, Role.ADMIN)
    target = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, team_id=team_id)
    # Only owners touch owners.
    if target.role == Role.OWNER and not actor.can_manage_team:
        raise PermissionDenied("Only an owner can change or remove an owner.")
    return actor, target


@login_required
@require_POST
def member_role(request: HttpRequest, team_id: int, membership_id: int) -> HttpResponse:
    actor, target = _target(request, team_id, membership_id)
    form = RoleForm(request.POST, membership=actor)
    if not form.is_valid():
        raise PermissionDenied("You cannot give that role.")
    role = form.cleaned_data["role"]
    if target.role == Role.OWNER and role != Role.OWNER and _owner_count(team_id) == 1:
        messages.error(request, "A team needs at least one owner.")
        return redirect("team_members", team_id)
    target.role = role
    target.save(update_fields=["role"])
    messages.success(request, f"{target.user.email} is now {target.get_role_display().lower()}.")
    return redirect("team_members", team_id)


@login_required
@require_POST
def member_remove(request: HttpRequest, team_id: int, membership_id: int) -> HttpResponse:
    _actor, target = _target(request, team_id, membership_id)
    if target.role == Role.OWNER and _owner_count(team_id) == 1:
        messages.error(request, "A team needs at least one owner.")
        return redirect("team_members", team_id)
    target.delete()
    messages.success(request, f"Removed {target.user.email} from the team.")
    return redirect("team_members", team_id)


@login_required
@require_POST
def team_rename(request: HttpRequest, team_id: int) -> HttpResponse:
    membership = get_membership(request, team_id, Role.OWNER)
    form = TeamForm(request.POST, instance=membership.team)
    if form.is_valid():
        form.save()
        messages.success(request, f"Renamed the team to {membership.team.name}.")
    else:
        messages.error(request, "Enter a name for the team.")
    return redirect("team_members", team_id)


@login_required
@require_POST
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    membership = get_membership(request, team_id, Role.OWNER)
    team = membership.team
    if request.POST.get("confirm") != team.name:
        messages.error(request, "Type the team's name to confirm deleting it.")
        return redirect("team_members", team_id)
    team.delete()  # its repositories, audits and findings go with it
    request.session.pop(SESSION_KEY, None)
    messages.success(request, f"Deleted the team {team.name} and everything in it.")
    return redirect("team_list")

