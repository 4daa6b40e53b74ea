from django.urls import path

from api import web

urlpatterns = [
    path("api-tokens/", web.tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", web.revoke_token, name="api_token_revoke"),
]
