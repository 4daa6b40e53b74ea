from django.urls import path

from teams import views

urlpatterns = [
    path("", views.team_list, name="team_list"),
    path("switch/", views.team_switch, name="team_switch"),
    path("<int:team_id>/members/", views.team_members, name="team_members"),
    path("<int:team_id>/rename/", views.team_rename, name="team_rename"),
    path("<int:team_id>/delete/", views.team_delete, name="team_delete"),
    path("<int:team_id>/invite/", views.team_invite, name="team_invite"),
    path("<int:team_id>/invitations/<int:invitation_id>/revoke/", views.team_invite_revoke, name="team_invite_revoke"),
    path("<int:team_id>/members/<int:membership_id>/role/", views.member_role, name="team_member_role"),
    path("<int:team_id>/members/<int:membership_id>/remove/", views.member_remove, name="team_member_remove"),
    path("invitation/<str:token>/", views.team_invite_accept, name="team_invite_accept"),
]
