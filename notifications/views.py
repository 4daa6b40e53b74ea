from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from notifications.forms import SubscriptionForm
from notifications.models import DigestSubscription
from notifications.services import subscription_for
from teams.access import get_membership, request_memberships


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The user's digest settings, one form per team."""
    rows = []
    for membership in request_memberships(request):
        subscription = subscription_for(membership, create=False)
        rows.append({"membership": membership, "subscription": subscription,
                     "form": SubscriptionForm(instance=subscription, prefix=f"team{membership.team_id}")})
    return render(request, "notifications/preferences.html", {"rows": rows})


@login_required
def team_preferences(request: HttpRequest, team_id: int) -> HttpResponse:
    membership = get_membership(request, team_id)
    subscription = subscription_for(membership, create=request.method == "POST")
    form = SubscriptionForm(request.POST or None, instance=subscription, prefix=f"team{team_id}")
    if request.method == "POST" and form.is_valid():
        subscription = form.save(commit=False)
        subscription.reschedule()
        subscription.save()
        messages.success(request, f"Saved your email digest settings for {membership.team.name}.")
        return redirect("digest_preferences")
    rows = [{"membership": membership, "subscription": subscription, "form": form}]
    return render(request, "notifications/preferences.html", {"rows": rows}, status=400 if form.errors else 200)


@csrf_exempt  # the signed token is the credential; mail clients POST without a session (RFC 8058)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: confirm page (link scanners must not unsubscribe anyone); POST: unsubscribe."""
    try:
        subscription = DigestSubscription.from_unsubscribe_token(token)
    except (signing.BadSignature, DigestSubscription.DoesNotExist):
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        DigestSubscription.objects.filter(pk=subscription.pk).update(enabled=False, next_digest_at=None)
        done = True
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(request, "notifications/unsubscribe.html", {"subscription": subscription, "done": done})
