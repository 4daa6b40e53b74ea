from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


# Each role can do everything the roles below it can.
ROLE_RANK: dict[str, int] = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class Team(models.Model):
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="teams")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user")]
        ordering = ["team_id", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} as {self.role}"

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    # The permission vocabulary the views use; one place decides who may do what.
    @property
    def can_run_audits(self) -> bool:
        return self.at_least(Role.MEMBER)

    @property
    def can_manage_repositories(self) -> bool:
        return self.at_least(Role.ADMIN)

    @property
    def can_manage_members(self) -> bool:
        return self.at_least(Role.ADMIN)

    @property
    def can_manage_team(self) -> bool:
        return self.role == Role.OWNER


class Invitation(models.Model):
    """A pending invite; the emailed link carries a signed, expiring token naming this row."""

    SIGNING_SALT = "teams.invitation"

    team = models.ForeignKey(Team, models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["team", "accepted_at"])]
        constraints = [
            # One pending invitation per person and team: a second one would leave the first's
            # role in force when either is accepted. (Addresses are stored lower-cased.)
            models.UniqueConstraint(
                fields=["team", "email"], condition=models.Q(accepted_at__isnull=True), name="invitation_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.team}"

    def make_token(self) -> str:
        return signing.dumps({"id": self.pk, "email": self.email.lower()}, salt=self.SIGNING_SALT)

    @classmethod
    def from_token(cls, token: str, max_age: int | None = None) -> Invitation:
        """Raise signing.BadSignature (or SignatureExpired) or cls.DoesNotExist."""
        if max_age is None:
            max_age = settings.AUDITOR_INVITE_MAX_AGE
        data = signing.loads(token, salt=cls.SIGNING_SALT, max_age=max_age)
        return cls.objects.select_related("team").get(pk=data["id"], email__iexact=data["email"])
