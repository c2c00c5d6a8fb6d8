"""OAuth 2 as Pinterest does it: the authorize page (the sandbox consents at once), the token endpoint
(authorization_code, refresh_token with optional continuous refresh, client_credentials), app
registration and Ads Manager's conversion tokens.

Choices where Pinterest's own behaviour is not documented (see docs §7):
- Every bad grant (unknown, expired, used or foreign code; unknown, expired or foreign refresh token;
  mismatched redirect_uri; widened scope) is 400 code 1 naming the field, like OAuth's `invalid_grant`.
  Only the app's own credentials (HTTP Basic) answer 401 code 2.
- A refresh with `refresh_on=true` returns a new refresh token (same grant, full refresh lifetime);
  the old one stays valid until its own expiry, as the quickstart keeps using it until replaced.
- `scope` in responses is comma separated, the way it is requested.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa

from pinsandbox.core import identity
from pinsandbox.core.auth import ALL_SCOPES, hash_token, issue_token, parse_scopes
from pinsandbox.core.errors import AuthenticationFailed, InvalidParameter, NotFound
from pinsandbox.core.ids import parse_id
from pinsandbox.core.tables import ad_accounts, oauth_codes, tokens

CODE_TTL_SECONDS = 600
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
DEFAULT_USERNAME = "sandbox-user"
CLIENT_AUTH_FAILED = ("Authentication failed. The token endpoint needs the app's credentials as HTTP Basic "
                      "'client_id:client_secret'; they are missing or wrong.")


# -- apps ------------------------------------------------------------------------------------------
def _check_redirect_uri(uri: str, field: str) -> None:
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in 0-65535
    except ValueError as exc:  # "http://[::1" (an unclosed IPv6 host), "http://a:abc/", "http://a:99999/"
        raise InvalidParameter(f"Invalid field '{field}': {uri!r} is not a valid URL ({exc}).") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        raise InvalidParameter(f"Invalid field '{field}': {uri!r} is not an absolute http(s) URL without a fragment.")


def register_app(conn: sa.Connection, *, name: str, redirect_uris: list[str], owner_username: str | None,
                 now: int) -> tuple[sa.Row, str | None]:
    for i, uri in enumerate(redirect_uris):
        _check_redirect_uri(uri, f"redirect_uris.{i}")
    owner = identity.ensure_user(conn, owner_username, now=now) if owner_username else None
    unique = list(dict.fromkeys(redirect_uris))
    app = identity.create_app_record(conn, name=name, owner_user_id=owner.id if owner else None, now=now,
                                     redirect_uris=unique)
    return app, owner.username if owner else None


def render_app(app: sa.Row, owner_username: str | None) -> dict[str, Any]:
    return {"client_id": str(app.id), "client_secret": app.secret, "name": app.name,
            "redirect_uris": list(app.redirect_uris), "owner_username": owner_username}


def _app_by_client_id(conn: sa.Connection, client_id: str | None) -> sa.Row | None:
    number = parse_id(client_id or "")  # 0: not an id (str.isdigit() also takes "²", which int() refuses)
    return identity.get_app(conn, number) if number else None


# -- authorize -------------------------------------------------------------------------------------
def _scopes(text: str | None, field: str = "scope") -> list[str]:
    if text is None or not text.strip():
        raise InvalidParameter(f"Parameter '{field}' is required: a comma-separated list of scopes, e.g. "
                               "'ads:read,user_accounts:read'.")
    try:
        return parse_scopes(text)
    except ValueError as exc:
        raise InvalidParameter(f"Invalid parameter '{field}': {exc}.") from None


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def authorize(conn: sa.Connection, *, client_id: str | None, redirect_uri: str | None, response_type: str | None,
              scope: str | None, state: str | None, username: str | None, now: int) -> str:
    """Consent on the user's behalf; return where to redirect (redirect_uri with `code` and `state`).

    Nothing is redirected to a URI the app has not registered: every error here is a 400.
    """
    if not client_id:
        raise InvalidParameter("Parameter 'client_id' is required: your app's id.")
    app = _app_by_client_id(conn, client_id)
    if app is None:
        raise InvalidParameter(f"Invalid parameter 'client_id': no app has client_id {client_id!r}.")
    if not redirect_uri:
        raise InvalidParameter("Parameter 'redirect_uri' is required: one of the app's registered redirect URIs.")
    if redirect_uri not in app.redirect_uris:
        raise InvalidParameter(f"Invalid parameter 'redirect_uri': {redirect_uri!r} is not registered for app "
                               f"{app.id}; registered: {', '.join(app.redirect_uris)}.")
    if response_type != "code":
        raise InvalidParameter(f"Invalid parameter 'response_type': {response_type!r} is not valid; expected 'code'.")
    scopes = _scopes(scope)
    username = DEFAULT_USERNAME if username is None else username
    if not (0 < len(username) <= 100) or not all(c.isalnum() or c in "_.-" for c in username) \
            or not username.isascii():
        raise InvalidParameter(f"Invalid parameter 'username': {username!r} must be 1-100 letters, digits, '_', "
                               "'.' or '-'.")
    user = identity.ensure_user(conn, username, now=now)
    code = secrets.token_urlsafe(30)
    conn.execute(sa.insert(oauth_codes).values(
        code=code, app_id=app.id, user_id=user.id, redirect_uri=redirect_uri, scopes=",".join(scopes),
        expires_at=now + CODE_TTL_SECONDS, used=False))
    params = {"code": code}
    if state is not None:
        params["state"] = state
    return _with_query(redirect_uri, params)


# -- token endpoint --------------------------------------------------------------------------------
def authenticate_client(conn: sa.Connection, *, client_id: str | None, client_secret: str | None) -> sa.Row:
    """The app named by HTTP Basic credentials, or 401 code 2."""
    app = _app_by_client_id(conn, client_id)
    if app is None or client_secret is None or not secrets.compare_digest(
            app.secret.encode(), client_secret.encode()):  # bytes: compare_digest refuses non-ASCII str
        raise AuthenticationFailed(CLIENT_AUTH_FAILED)
    return app


def _required(value: str | None, field: str, grant_type: str) -> str:
    if value is None or value == "":
        raise InvalidParameter(f"Field '{field}' is required for grant_type '{grant_type}'.")
    return value


def _parse_bool(value: str | None, field: str) -> bool:
    if value is None or value == "":
        return False
    text = value.strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise InvalidParameter(f"Invalid field '{field}': {value!r} is not a boolean; expected true or false.")


def _access(conn: sa.Connection, *, app_id: int, user_id: int, scopes: list[str], now: int,
            ttl: int) -> tuple[str, dict[str, Any]]:
    token, _ = issue_token(conn, kind="access", user_id=user_id, app_id=app_id, scopes=scopes, now=now,
                           ttl_seconds=ttl)
    return token, {"access_token": token, "token_type": "bearer", "expires_in": ttl, "scope": ",".join(scopes)}


def token(conn: sa.Connection, *, app: sa.Row, grant_type: str | None, code: str | None, redirect_uri: str | None,
          refresh_token: str | None, scope: str | None, refresh_on: str | None, now: int, access_ttl: int,
          refresh_ttl: int, form_encoded: bool = True) -> dict[str, Any]:
    """POST /v5/oauth/token for an authenticated app: the response body, by grant type."""
    if not grant_type:
        hint = "" if form_encoded else " (the body must be application/x-www-form-urlencoded)"
        raise InvalidParameter(f"Field 'grant_type' is required{hint}: one of {', '.join(GRANT_TYPES)}.")
    if grant_type == "authorization_code":
        return _exchange_code(conn, app=app, code=_required(code, "code", grant_type),
                              redirect_uri=_required(redirect_uri, "redirect_uri", grant_type),
                              now=now, access_ttl=access_ttl, refresh_ttl=refresh_ttl)
    if grant_type == "refresh_token":
        return _refresh(conn, app=app, refresh_token=_required(refresh_token, "refresh_token", grant_type),
                        scope=scope, refresh_on=_parse_bool(refresh_on, "refresh_on"), now=now,
                        access_ttl=access_ttl, refresh_ttl=refresh_ttl)
    if grant_type == "client_credentials":
        scopes = _scopes(scope)
        owner = identity.ensure_app_owner(conn, app, now=now)
        _, body = _access(conn, app_id=app.id, user_id=owner.id, scopes=scopes, now=now, ttl=access_ttl)
        return {"response_type": "client_credentials", **body}
    raise InvalidParameter(f"Invalid field 'grant_type': {grant_type!r} is not valid; expected one of "
                           f"{', '.join(GRANT_TYPES)}.")


def _exchange_code(conn: sa.Connection, *, app: sa.Row, code: str, redirect_uri: str, now: int, access_ttl: int,
                   refresh_ttl: int) -> dict[str, Any]:
    row = conn.execute(sa.select(oauth_codes).where(oauth_codes.c.code == code,
                                                    oauth_codes.c.app_id == app.id)).first()
    if row is None:
        raise InvalidParameter("Invalid field 'code': the authorization grant is invalid (no such code for this app).")
    if row.used:
        raise InvalidParameter("Invalid field 'code': the authorization code has already been used; codes are "
                               "single use.")
    if now >= row.expires_at:
        raise InvalidParameter(f"Invalid field 'code': the authorization code has expired (codes last "
                               f"{CODE_TTL_SECONDS // 60} minutes); start the OAuth flow again.")
    if redirect_uri != row.redirect_uri:
        raise InvalidParameter(f"Invalid field 'redirect_uri': {redirect_uri!r} does not match the redirect_uri "
                               "the code was issued for.")
    claimed = conn.execute(sa.update(oauth_codes).where(oauth_codes.c.code == code, oauth_codes.c.used == sa.false())
                           .values(used=True)).rowcount
    if claimed != 1:
        raise InvalidParameter("Invalid field 'code': the authorization code has already been used; codes are "
                               "single use.")
    scopes = [s for s in row.scopes.split(",") if s]
    _, body = _access(conn, app_id=app.id, user_id=row.user_id, scopes=scopes, now=now, ttl=access_ttl)
    refresh, _ = issue_token(conn, kind="refresh", user_id=row.user_id, app_id=app.id, scopes=scopes, now=now,
                             ttl_seconds=refresh_ttl)
    return {"response_type": "authorization_code", **body, "refresh_token": refresh,
            "refresh_token_expires_in": refresh_ttl}


def _refresh(conn: sa.Connection, *, app: sa.Row, refresh_token: str, scope: str | None, refresh_on: bool,
             now: int, access_ttl: int, refresh_ttl: int) -> dict[str, Any]:
    row = conn.execute(sa.select(tokens).where(tokens.c.token_hash == hash_token(refresh_token),
                                               tokens.c.kind == "refresh", tokens.c.app_id == app.id)).first()
    if row is None:
        raise InvalidParameter("Invalid field 'refresh_token': no such refresh token for this app.")
    if row.expires_at is not None and now >= row.expires_at:
        raise InvalidParameter("Invalid field 'refresh_token': the refresh token has expired; start the OAuth flow "
                               "again.")
    granted = [s for s in row.scopes.split(",") if s]
    scopes = granted
    if scope is not None and scope.strip():
        asked = _scopes(scope)
        wider = [s for s in asked if s not in granted]
        if wider:
            raise InvalidParameter(f"Invalid field 'scope': a refresh may narrow the scopes but not widen them; "
                                   f"{', '.join(wider)} were not granted (granted: {', '.join(granted)}).")
        scopes = sorted(asked, key=ALL_SCOPES.index)
    _, body = _access(conn, app_id=app.id, user_id=row.user_id, scopes=scopes, now=now, ttl=access_ttl)
    if not refresh_on:
        return {"response_type": "refresh_token", **body}
    new_refresh, expires_at = issue_token(conn, kind="refresh", user_id=row.user_id, app_id=app.id, scopes=granted,
                                          now=now, ttl_seconds=refresh_ttl)
    return {"response_type": "everlasting_refresh", **body, "refresh_token": new_refresh,
            "refresh_token_expires_in": refresh_ttl, "refresh_token_expires_at": expires_at}


# -- conversion tokens -----------------------------------------------------------------------------
def conversion_token(conn: sa.Connection, *, ad_account_id: int, now: int) -> dict[str, Any]:
    """A token for the conversion events endpoint of one ad account, minted for its owner."""
    account = conn.execute(sa.select(ad_accounts).where(ad_accounts.c.id == ad_account_id)).first()
    if account is None:
        raise NotFound(f"Ad account {ad_account_id} not found.", code=2)
    tok = identity.mint_conversion_token(conn, ad_account_id=account.id, user_id=account.owner_user_id, now=now)
    return {"access_token": tok, "token_type": "bearer", "ad_account_id": str(account.id),
            "user_id": str(account.owner_user_id)}
