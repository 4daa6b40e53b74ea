"""Tables that libraries add to a schema through a spread, as the libraries define them.

``defineSchema({ ...authTables, ... })`` adds the tables of Convex Auth (``@convex-dev/auth``,
the 0.0.x releases that export ``authTables`` from ``@convex-dev/auth/server``). The fields and
indexes below are the ones that release line documents and defines; the engine knows them without
reading ``node_modules``. A table the project defines again after the spread (a custom ``users``)
replaces the library's one, as it does in Convex.

Field validators are written compactly: ``"string"``, ``"number"``, ``"boolean"``, ``"id:users"``,
with a leading ``?`` for ``v.optional(...)``.
"""

from __future__ import annotations

from auditor.engine.model import FieldFact, FrozenDict, IndexFact, Location, TableFact, Validator

TableSpec = tuple[dict[str, str], tuple[tuple[str, tuple[str, ...]], ...]]  # (fields, regular indexes)

AUTH_TABLES: dict[str, TableSpec] = {
    "users": (
        {"name": "?string", "image": "?string", "email": "?string", "emailVerificationTime": "?number",
         "phone": "?string", "phoneVerificationTime": "?number", "isAnonymous": "?boolean"},
        (("email", ("email",)), ("phone", ("phone",))),
    ),
    "authSessions": (
        {"userId": "id:users", "expirationTime": "number"},
        (("userId", ("userId",)),),
    ),
    "authAccounts": (
        {"userId": "id:users", "provider": "string", "providerAccountId": "string", "secret": "?string",
         "emailVerified": "?string", "phoneVerified": "?string"},
        (("userIdAndProvider", ("userId", "provider")), ("providerAndAccountId", ("provider", "providerAccountId"))),
    ),
    "authRefreshTokens": (
        {"sessionId": "id:authSessions", "expirationTime": "number", "firstUsedTime": "?number",
         "parentRefreshTokenId": "?id:authRefreshTokens"},
        (("sessionId", ("sessionId",)), ("sessionIdAndParentRefreshTokenId", ("sessionId", "parentRefreshTokenId"))),
    ),
    "authVerificationCodes": (
        {"accountId": "id:authAccounts", "provider": "string", "code": "string", "expirationTime": "number",
         "verifier": "?string", "emailVerified": "?string", "phoneVerified": "?string"},
        (("accountId", ("accountId",)), ("code", ("code",))),
    ),
    "authVerifiers": (
        {"sessionId": "?id:authSessions", "signature": "?string"},
        (("signature", ("signature",)),),
    ),
    "authRateLimits": (
        {"identifier": "string", "lastAttemptTime": "number", "attemptsLeft": "number"},
        (("identifier", ("identifier",)),),
    ),
}

# The exported name of each library spread, and the tables it adds.
LIBRARY_SPREADS: dict[str, dict[str, TableSpec]] = {"authTables": AUTH_TABLES}
LIBRARY_TABLES: dict[str, tuple[str, ...]] = {name: tuple(tables) for name, tables in LIBRARY_SPREADS.items()}


def _validator(spec: str, loc: Location) -> Validator:
    if spec.startswith("?"):
        return Validator("optional", children=(_validator(spec[1:], loc),), loc=loc)
    kind, _, table = spec.partition(":")
    return Validator(kind, table=table or None, loc=loc)


def library_table(library: str, name: str, loc: Location) -> TableFact | None:
    """The documented table ``name`` that the spread ``library`` adds, its facts placed at ``loc``."""
    spec = LIBRARY_SPREADS.get(library, {}).get(name)
    if spec is None:
        return None
    fields, indexes = spec
    return TableFact(name, loc, library=library,
                     fields=FrozenDict({field_name: FieldFact(field_name, _validator(field_spec, loc), loc)
                                        for field_name, field_spec in fields.items()}),
                     indexes=tuple(IndexFact(name, index, "regular", tuple(columns), loc)
                                   for index, columns in indexes))


__all__ = ["AUTH_TABLES", "LIBRARY_SPREADS", "LIBRARY_TABLES", "library_table"]
