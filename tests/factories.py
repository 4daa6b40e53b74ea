"""factory-boy factories for the Django side; the heavy objects tests build over and over."""

from __future__ import annotations

import hashlib

import factory
from django.utils import timezone

from accounts.models import User
from projects.models import SEVERITY_RANK, Audit, Finding, InventorySnapshot, Repository
from teams.models import Invitation, Membership, Role, Team

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    team = factory.SubFactory(TeamFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.MEMBER


class RepositoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Repository

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"acme/app-{n}")
    url = factory.LazyAttribute(lambda o: f"https://github.com/{o.name}.git")
    branch = "main"


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    repository = factory.SubFactory(RepositoryFactory)
    state = Audit.State.DONE
    branch = "main"
    commit_sha = factory.Sequence(lambda n: hashlib.sha1(str(n).encode()).hexdigest())
    commit_author = "Ada <ada@example.com>"
    commit_message = "Change things"
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
    health_score = 100


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    audit = factory.SubFactory(AuditFactory)
    rule = "auth/public-mutation-without-auth"
    severity = "error"
    severity_rank = factory.LazyAttribute(lambda o: SEVERITY_RANK[o.severity])
    category = "auth"
    path = "convex/messages.ts"
    line = factory.Sequence(lambda n: n + 1)
    column = 0
    end_line = factory.LazyAttribute(lambda o: o.line)
    end_column = 10
    message = "Public mutation does not check ctx.auth"
    fingerprint = factory.Sequence(lambda n: hashlib.sha256(f"fp{n}".encode()).hexdigest())
    snippet = "export const send = mutation({"


class InventorySnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InventorySnapshot

    audit = factory.SubFactory(AuditFactory)
