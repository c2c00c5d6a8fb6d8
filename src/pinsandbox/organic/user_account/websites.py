"""Websites: claiming (verifying) a website, unverifying it, the user's list, the verification code.

The sandbox plays the website: `PUT /_sandbox/websites` says what a site serves (its page's meta tags,
a verification file at its root, its host's DNS TXT records). Verification reads what the site serves,
as Pinterest's crawler does, and succeeds only when it holds the user's verification code:

* METATAG: a `<meta name="p:domain_verify" content="CODE"/>` in the page;
* FILENAME: the file named `pinterest-<first 5 of CODE>.html`, whose content holds CODE;
* DNSTXT: a TXT record `pinterest-site-verification=CODE` on the website's host.

Answers (Pinterest's codes as its own Magento extension documents them): 200 `success`, or
`already_verified_by_user` when the user had claimed it already; 409 code 71 when another user has
claimed the website; 400 code 75 when nothing is served at the website ("invalid or does not exist");
400 code 1 when the site is there but does not serve the user's code (the message says what it found).
A website is its host (lower case) and optional path, without scheme, query or trailing slash:
`https://Shop.example.com/en/` is `shop.example.com/en`. Claims are exact: another user may claim
another path of the same host.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from typing import Any
from urllib.parse import urlparse

import sqlalchemy as sa

from pinsandbox.core.errors import ApiError, Conflict, InvalidParameter, NotFound
from pinsandbox.core.ids import new_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate
from pinsandbox.organic.user_account.tables import sandbox_websites, user_websites

MAX_WEBSITE_LENGTH = 512
WEBSITE_NOT_FOUND = "Website not in user list."
DNS_PREFIX = "pinterest-site-verification="

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
_META = re.compile(r"<meta\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>/]+))")


# -- websites ---------------------------------------------------------------------------------------------
def normalize(value: str, *, field: str = "website") -> str:
    """`host[/path]`: scheme dropped (http or https only), host lower-cased (IDN to punycode), no port,
    query, fragment or trailing slash. 400 code 1 naming `field` otherwise."""
    def bad(why: str) -> InvalidParameter:
        return InvalidParameter(f"Invalid parameter '{field}': {value[:100]!r} {why}; give a website with path or "
                                "domain only, e.g. 'mysite.test' or 'mysite.test/shop'.")

    text = value.strip()
    if not text:
        raise bad("is empty")
    scheme = _SCHEME.match(text)
    if scheme:
        if scheme.group(1).lower() not in ("http", "https"):
            raise bad("is not an http(s) website")
        text = text[scheme.end():]
    if any(c.isspace() for c in text) or "?" in text or "#" in text or "@" in text:
        raise bad("holds spaces, a query, a fragment or credentials")
    host, _, path = text.partition("/")
    if ":" in host:
        raise bad("names a port")
    try:
        host = host.encode("idna").decode("ascii").lower() if host else ""
    except UnicodeError:
        raise bad("has an invalid host name") from None
    host = host.rstrip(".")
    if len(host) > 253 or not _HOST.match(host):
        raise bad("has no valid host name")
    path = path.strip("/")
    site = f"{host}/{path}" if path else host
    if len(site) > MAX_WEBSITE_LENGTH:
        raise bad(f"is longer than {MAX_WEBSITE_LENGTH} characters")
    return site


def host_of(site: str) -> str:
    return site.partition("/")[0]


def is_claimed_link(claimed: list[str], link: str | None) -> bool:
    """Whether a Pin's link points into one of these (normalized) claimed websites: same host, and the
    website's path (if any) is a prefix of the link's path at a segment boundary."""
    if not link:
        return False
    parsed = urlparse(link)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return False
    host = parsed.hostname.lower().rstrip(".")
    path = parsed.path.strip("/")
    for site in claimed:
        site_host, _, site_path = site.partition("/")
        if host != site_host:
            continue
        if not site_path or path == site_path or path.startswith(site_path + "/"):
            return True
    return False


def claimed_websites(conn: sa.Connection, *, user_id: int) -> list[str]:
    """The websites the user has claimed (verified)."""
    return list(conn.execute(sa.select(user_websites.c.website).where(
        user_websites.c.user_id == user_id, user_websites.c.status == "verified").order_by(user_websites.c.id))
        .scalars())


# -- the verification code ------------------------------------------------------------------------------------
def verification_code(secret: bytes, user_id: int) -> str:
    """The user's code: 32 hex digits, stable for the sandbox (derived from its secret and the user)."""
    return hmac.new(secret, f"website-verification:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def verification_filename(code: str) -> str:
    return f"pinterest-{code[:5]}.html"


def verification(secret: bytes, user_id: int) -> dict[str, str]:
    code = verification_code(secret, user_id)
    return {
        "verification_code": code,
        "dns_txt_record": f"{DNS_PREFIX}{code}",
        "metatag": f'<meta name="p:domain_verify" content="{code}"/>',
        "filename": verification_filename(code),
        "file_content": ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<title>Pinterest website verification</title>\n</head>\n<body>\n"
                         f"Pinterest verification code: {code}\n</body>\n</html>\n"),
    }


# -- what websites serve (the sandbox plays the site) ----------------------------------------------------------
def serve(conn: sa.Connection, *, website: str, meta_tag: str | None, file_name: str | None,
          file_content: str | None, dns_txt: list[str] | None, now: int) -> dict[str, Any]:
    site = normalize(website)
    values = {"meta_tag": meta_tag, "file_name": file_name, "file_content": file_content,
              "dns_txt": [t.strip() for t in dns_txt] if dns_txt is not None else None, "updated_time": now}
    updated = conn.execute(sa.update(sandbox_websites).where(sandbox_websites.c.website == site).values(**values))
    if updated.rowcount == 0:
        conn.execute(sa.insert(sandbox_websites).values(website=site, **values))
    return render_served(conn.execute(sa.select(sandbox_websites).where(sandbox_websites.c.website == site)).first())


def take_down(conn: sa.Connection, *, website: str) -> None:
    site = normalize(website)
    done = conn.execute(sandbox_websites.delete().where(sandbox_websites.c.website == site))
    if not done.rowcount:
        raise NotFound(f"No sandbox website {site!r} is served (website).", code=404)


def render_served(row: sa.Row) -> dict[str, Any]:
    return {"website": row.website, "meta_tag": row.meta_tag,
            "file": {"name": row.file_name, "content": row.file_content} if row.file_name is not None else None,
            "dns_txt": row.dns_txt}


def _served(conn: sa.Connection, site: str) -> sa.Row | None:
    return conn.execute(sa.select(sandbox_websites).where(sandbox_websites.c.website == site)).first()


def _meta_codes(html: str | None) -> list[str]:
    """The `content` of every `<meta name="p:domain_verify">` in the page."""
    found = []
    for match in _META.finditer(html or ""):
        attrs = {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
                 for m in _ATTR.finditer(match.group(1))}
        if attrs.get("name", "").strip().lower() == "p:domain_verify" and "content" in attrs:
            found.append(attrs["content"].strip())
    return found


def _check(conn: sa.Connection, *, site: str, method: str, code: str) -> None:
    """Raise unless what the website serves holds `code` for `method`."""
    page = _served(conn, site)
    host = host_of(site)
    host_entry = page if host == site else _served(conn, host)
    if page is None and (method != "DNSTXT" or host_entry is None):
        raise ApiError(f"Website is invalid or does not exist. Nothing is served at {site!r} (website).",
                       status=400, code=75)
    fail = f"Website verification failed for {site!r} with verification_method {method}: "
    if method == "METATAG":
        codes = _meta_codes(page.meta_tag)
        if code in codes:
            return
        what = (f"its p:domain_verify meta tag holds {', '.join(repr(c) for c in codes)}" if codes
                else "the page has no <meta name=\"p:domain_verify\"> tag")
        raise InvalidParameter(f"{fail}{what}, not this user's verification code.")
    if method == "FILENAME":
        expected = verification_filename(code)
        if page.file_name == expected and code in (page.file_content or ""):
            return
        if page.file_name != expected:
            raise InvalidParameter(f"{fail}the file {expected!r} is not served at the website's root"
                                   + (f" (it serves {page.file_name!r})." if page.file_name else "."))
        raise InvalidParameter(f"{fail}the file {expected!r} does not hold this user's verification code.")
    records = [r for entry in (host_entry, page) if entry is not None for r in (entry.dns_txt or [])]
    if f"{DNS_PREFIX}{code}" in records:
        return
    raise InvalidParameter(f"{fail}no TXT record '{DNS_PREFIX}<code>' of {host!r} holds this user's "
                           "verification code.")


# -- the API's rules ---------------------------------------------------------------------------------------
def _iso_micro(now: dt.datetime) -> str:
    return now.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")


def render(row: sa.Row) -> dict[str, Any]:
    out = {"website": row.website, "status": row.status}
    if row.verified_at is not None:  # "sometimes missing": absent once unverified
        out["verified_at"] = row.verified_at
    return out


def verify(conn: sa.Connection, *, user_id: int, website: str, method: str, secret: bytes, now: dt.datetime
           ) -> dict[str, Any]:
    site = normalize(website)
    mine = conn.execute(sa.select(user_websites).where(user_websites.c.user_id == user_id,
                                                       user_websites.c.website == site)).first()
    if mine is not None and mine.status == "verified":
        return {**render(mine), "status": "already_verified_by_user"}
    other = conn.execute(sa.select(user_websites.c.user_id).where(
        user_websites.c.website == site, user_websites.c.status == "verified", user_websites.c.user_id != user_id)
    ).first()
    if other is not None:
        raise Conflict(f"The website has been claimed by another user: {site!r} is verified by another account "
                       "(website).", code=71)
    _check(conn, site=site, method=method, code=verification_code(secret, user_id))
    stamp, epoch = _iso_micro(now), int(now.timestamp())
    values = {"status": "verified", "verification_method": method, "verified_at": stamp, "updated_time": epoch}
    if mine is None:
        conn.execute(sa.insert(user_websites).values(id=new_id(), user_id=user_id, website=site,
                                                     created_time=epoch, **values))
    else:
        conn.execute(sa.update(user_websites).where(user_websites.c.id == mine.id).values(**values))
    return {"website": site, "status": "success", "verified_at": stamp}


def unverify(conn: sa.Connection, *, user_id: int, website: str, now: int) -> None:
    """The website stays in the user's list, unverified (the list holds websites "claimed or not")."""
    site = normalize(website)
    row = conn.execute(sa.select(user_websites).where(user_websites.c.user_id == user_id,
                                                      user_websites.c.website == site)).first()
    if row is None or row.status != "verified":
        raise NotFound(f"{WEBSITE_NOT_FOUND} {site!r} is not a website this user has verified (website).")
    conn.execute(sa.update(user_websites).where(user_websites.c.id == row.id).values(
        status="unverified", verified_at=None, updated_time=now))


def list_(conn: sa.Connection, *, user_id: int, page: PageParams, secret: bytes
          ) -> tuple[list[dict[str, Any]], str | None]:
    """The user's websites, claimed or not, newest first."""
    stmt = sa.select(user_websites).where(user_websites.c.user_id == user_id)
    rows, bookmark = paginate(conn, stmt, key=user_websites.c.id, page=page, secret=secret,
                              fp=fingerprint("user_websites/get", user=user_id), descending=True)
    return [render(r) for r in rows], bookmark
