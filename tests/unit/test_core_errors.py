"""core/errors.py: Pinterest-shaped errors and validation messages that name the field."""

from __future__ import annotations

import pytest

from pinsandbox.core.errors import (ApiError, AuthenticationFailed, Conflict, Forbidden, InsufficientScope,
                                    InvalidParameter, NotFound, NotImplementedYet, RateLimited, validation_message)
from tests.factories import bearer, token


@pytest.mark.parametrize("errors,expected", [
    ([], "Invalid request."),
    ([{"type": "json_invalid", "loc": ("body", 5), "msg": "JSON decode error"}], "Invalid request body: malformed JSON."),
    ([{"type": "missing", "loc": ("body", "name"), "msg": "Field required"}], "Field 'name' is required."),
    ([{"type": "missing", "loc": ("query", "ad_account_id"), "msg": "Field required"}],
     "Parameter 'ad_account_id' is required."),
    ([{"type": "string_too_long", "loc": ("body", "name"), "msg": "String should have at most 256 characters"}],
     "Invalid field 'name': String should have at most 256 characters."),
    ([{"type": "int_parsing", "loc": ("query", "page_size"), "msg": "Input should be a valid integer"}],
     "Invalid parameter 'page_size': Input should be a valid integer."),
    ([{"type": "string_pattern_mismatch", "loc": ("path", "ad_account_id"), "msg": "String should match pattern"}],
     "Invalid parameter 'ad_account_id': String should match pattern."),
    ([{"type": "missing", "loc": ("body", 0, "targeting_spec", "AGE_BUCKET"), "msg": "Field required"}],
     "Field '0.targeting_spec.AGE_BUCKET' is required."),
    ([{"type": "list_type", "loc": ("body",), "msg": "Input should be a valid list"}],
     "Invalid request body: Input should be a valid list."),
    ([{"type": "enum", "loc": ("body", "country"), "msg": "x", "input": "XX", "ctx": {"expected": "'US' or 'DE'"}}],
     "Invalid field 'country': 'XX' is not valid; expected 'US' or 'DE'."),
    ([{"type": "string_type", "loc": ("body", "name"), "msg": "Input should be a valid string"},
      {"type": "missing", "loc": ("body", "country"), "msg": "Field required"}],
     "Invalid field 'name': Input should be a valid string."),
])
def test_validation_message_names_the_first_offending_field(errors, expected):
    assert validation_message(errors) == expected


def test_long_enum_lists_are_summarised():
    expected = ", ".join(f"'{c}'" for c in range(30))
    msg = validation_message([{"type": "enum", "loc": ("body", "currency"), "msg": "x", "input": "ZZZ",
                               "ctx": {"expected": expected}}])
    assert msg.startswith("Invalid field 'currency': 'ZZZ' is not valid") and expected not in msg


def test_error_classes_carry_pinterest_codes():
    assert (InvalidParameter("m").status, InvalidParameter("m").code) == (400, 1)
    assert (AuthenticationFailed().status, AuthenticationFailed().code) == (401, 2)
    assert AuthenticationFailed().body() == {"code": 2, "message": "Authentication failed.", "status": "failure"}
    assert (InsufficientScope("m").status, InsufficientScope("m").code) == (401, 3)
    assert Forbidden("m").status == 403 and NotFound("m").status == 404 and Conflict("m").status == 409
    assert (RateLimited("m").status, RateLimited("m").code) == (429, 8)
    assert NotImplementedYet("m").status == 501
    err = NotFound("Campaign 1 not found.", code=1012)
    assert err.body() == {"code": 1012, "message": "Campaign 1 not found."}
    assert ApiError("x", status=418, code=99, headers={"A": "b"}).headers == {"A": "b"}


def test_http_bodies_are_code_and_message(client):
    tok = token(client)
    h = bearer(tok)
    r = client.post("/v5/ad_accounts", json={"name": 5}, headers=h)
    assert r.status_code == 400 and r.json() == {"code": 1, "message": r.json()["message"]}
    assert "'name'" in r.json()["message"]
    r = client.get("/v5/no_such_thing", headers=h)
    assert r.status_code == 404 and set(r.json()) == {"code", "message"}
    r = client.delete("/v5/ad_accounts", headers=h)
    assert r.status_code == 405 and r.json()["code"] == 405
    r = client.get("/v5/ad_accounts")
    assert r.status_code == 401 and r.json()["code"] == 2


def test_a_parameter_named_like_a_location_is_named():
    from pinsandbox.core.errors import validation_message

    msg = validation_message([{"loc": ("query", "query"), "type": "missing", "msg": "Field required"}])
    assert msg == "Parameter 'query' is required."
    msg = validation_message([{"loc": ("body", "items", 0, "path"), "type": "missing", "msg": "Field required"}])
    assert msg == "Field 'items.0.path' is required."
