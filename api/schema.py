"""Teaches drf-spectacular how the API authenticates."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token from Settings → API tokens: `Authorization: Bearer cva_…`.",
        }


_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,  # a 400 names the offending fields instead
}
ERROR_RESPONSES = {
    "400": "Invalid parameters or body; the fields at fault are named.",
    "401": "No token, or an invalid or revoked one.",
    "403": "The token's user lacks the role this needs.",
    "404": "No such object in your teams (another team's object is not acknowledged), or no such page.",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular documents only the success answers; add the error answers every operation can give.

    A 404 may also be Django's own HTML page, when an id in the path is not a number at all.
    """
    for item in (result.get("paths") or {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                content = {"application/json": {"schema": _DETAIL}}
                if code == "404":
                    content["text/html"] = {"schema": {"type": "string"}}
                responses.setdefault(code, {"description": description, "content": content})
    return result
