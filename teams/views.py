from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from teams.access import memberships_for


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "teams/team_list.html", {"memberships": memberships_for(request.user)})
