"""media: register an upload, upload the file to the sandbox's S3-style target, processing on the
sandbox clock, list/get — and video Pins made from an upload. Through HTTP."""

import base64
import json

import pytest

from tests.api.test_pins import png
from tests.factories import (bearer, board, collect_pages, mp4, register_media, token, upload,
                             video_media)

UPLOAD_KEYS = {"x-amz-date", "x-amz-signature", "x-amz-security-token", "x-amz-algorithm", "key", "policy",
               "x-amz-credential", "Content-Type"}


def status(client, tok, media_id):
    r = client.get(f"/v5/media/{media_id}", headers=bearer(tok))
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"media_id", "media_type", "status"}
    return r.json()["status"]


def advance(client, seconds):
    assert client.put("/_sandbox/clock", json={"advance_seconds": seconds}).status_code == 200


def s3_error(r, status_code, code):
    assert r.status_code == status_code, r.text
    assert r.headers["content-type"].startswith("application/xml")
    assert f"<Code>{code}</Code>" in r.text, r.text


def test_register_upload_and_process(client):
    tok = token(client, "alice")
    form = register_media(client, tok)
    assert set(form) == {"media_id", "media_type", "upload_url", "upload_parameters"}
    assert form["media_id"].isdigit() and form["media_type"] == "video"
    assert form["upload_url"].endswith("/_sandbox/media/upload")
    params = form["upload_parameters"]
    assert set(params) == UPLOAD_KEYS and params["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert params["Content-Type"] == "multipart/form-data" and form["media_id"] in params["key"]
    policy = json.loads(base64.b64decode(params["policy"]))
    assert {"key": params["key"]} in policy["conditions"] and policy["expiration"].endswith("Z")
    assert status(client, tok, form["media_id"]) == "registered"

    r = upload(client, form, mp4(1080, 1920, 30_500))
    assert r.status_code == 204 and r.content == b"" and r.headers["etag"].startswith('"'), r.text
    assert status(client, tok, form["media_id"]) == "processing"
    advance(client, 9)
    assert status(client, tok, form["media_id"]) == "processing"
    advance(client, 1)
    assert status(client, tok, form["media_id"]) == "succeeded"


def test_file_part_without_filename(client):
    """Pinterest's quickstart posts the file as files={"file": (None, fileobj)}: S3 takes it all the same."""
    tok = token(client, "alice")
    form = register_media(client, tok)
    from urllib.parse import urlparse

    r = client.post(urlparse(form["upload_url"]).path, data=form["upload_parameters"],
                    files={"file": (None, mp4())})
    assert r.status_code == 204, r.text
    advance(client, 10)
    assert status(client, tok, form["media_id"]) == "succeeded"


@pytest.mark.parametrize("content, why", [
    (b"this is a text file, not a video" * 4, "text"),
    (png(400, 400), "an image"),
    (mp4(video=False), "audio only"),
    (mp4()[:40], "cut short"),
])
def test_unusable_files_fail_processing(client, content, why):
    tok = token(client, "alice")
    form = register_media(client, tok)
    r = upload(client, form, content if isinstance(content, bytes) else base64.b64decode(content))
    assert r.status_code == 204, (why, r.text)
    assert status(client, tok, form["media_id"]) == "processing"
    advance(client, 10)
    assert status(client, tok, form["media_id"]) == "failed", why


def test_upload_target_answers_like_s3(client):
    tok = token(client, "alice")
    form = register_media(client, tok)
    path = "/_sandbox/media/upload"
    s3_error(upload(client, form, mp4(), **{"x-amz-signature": "0" * 64}), 403, "SignatureDoesNotMatch")
    # non-ASCII: hmac.compare_digest refuses such str (was a 500)
    s3_error(upload(client, form, mp4(), **{"x-amz-signature": "é" * 64}), 403, "SignatureDoesNotMatch")
    s3_error(upload(client, form, mp4(), key=form["upload_parameters"]["key"] + "x"), 403, "AccessDenied")
    s3_error(upload(client, form, mp4(), **{"x-amz-date": "20200101T000000Z"}), 403, "AccessDenied")
    s3_error(upload(client, form, mp4(), key=None), 400, "InvalidArgument")
    s3_error(upload(client, form, mp4(), policy=None), 403, "AccessDenied")
    s3_error(upload(client, form, b""), 400, "EntityTooSmall")
    s3_error(client.post(path, data=form["upload_parameters"], files={"video": ("v.mp4", mp4())}), 400,
             "IncorrectNumberOfFilesInPostRequest")
    s3_error(client.post(path, json=form["upload_parameters"]), 412, "PreconditionFailed")
    s3_error(client.post(path, content=b"--x\r\nnot a form", headers={"content-type": "multipart/form-data; "
                                                                                         "boundary=x"}),
             400, "MalformedPOSTRequest")
    assert status(client, tok, form["media_id"]) == "registered"  # nothing was taken
    assert upload(client, form, mp4()).status_code == 204
    s3_error(upload(client, form, mp4()), 403, "AccessDenied")  # one file per registration


def test_upload_form_expires(client):
    tok = token(client, "alice")
    form = register_media(client, tok)
    advance(client, 3600)
    r = upload(client, form, mp4())
    s3_error(r, 403, "AccessDenied")
    assert "Policy expired" in r.text
    assert status(client, tok, form["media_id"]) == "registered"


def test_list_get_and_pagination(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    made = [register_media(client, alice)["media_id"] for _ in range(5)]
    other = register_media(client, bob)["media_id"]
    assert upload(client, register_media(client, bob), mp4()).status_code == 204
    got = collect_pages(client, "/v5/media", bearer(alice), page_size=2)
    assert [m["media_id"] for m in got] == sorted(made, reverse=True)  # newest first
    assert all(m == {"media_id": m["media_id"], "media_type": "video", "status": "registered"} for m in got)
    assert len(collect_pages(client, "/v5/media", bearer(bob), page_size=250)) == 2
    # someone else's upload, or an unknown one, is not found
    for media_id in (other, "123456789"):
        r = client.get(f"/v5/media/{media_id}", headers=bearer(alice))
        assert r.status_code == 404 and r.json()["code"] == 404 and "Media upload not found" in r.json()["message"]
    r = client.get("/v5/media/12ab", headers=bearer(alice))
    assert r.status_code == 400 and r.json()["code"] == 1 and "media_id" in r.json()["message"]
    r = client.get("/v5/media", params={"page_size": 251}, headers=bearer(alice))
    assert r.status_code == 400 and "page_size" in r.json()["message"]


@pytest.mark.parametrize("body", [{}, {"media_type": "image"}, {"media_type": None}, []])
def test_create_validation(client, body):
    r = client.post("/v5/media", json=body, headers=bearer(token(client, "alice")))
    assert r.status_code == 400 and r.json()["code"] == 1
    assert "media_type" in r.json()["message"] or "body" in r.json()["message"]


def test_auth_errors(client):
    assert client.get("/v5/media").json()["code"] == 2
    assert client.post("/v5/media", json={"media_type": "video"}).status_code == 401
    reader = token(client, "r", scopes="pins:read")
    r = client.post("/v5/media", json={"media_type": "video"}, headers=bearer(reader))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:write" in r.json()["message"]
    boards_only = token(client, "b", scopes="boards:read,boards:write")
    for r in (client.get("/v5/media", headers=bearer(boards_only)),
              client.get("/v5/media/123", headers=bearer(boards_only))):
        assert r.status_code == 401 and r.json()["code"] == 3 and "pins:read" in r.json()["message"]


# -- video Pins ---------------------------------------------------------------------------------
def video_pin_body(board_id, media_id, **source):
    return {"board_id": board_id, "title": "A video", "media_source": {
        "source_type": "video_id", "media_id": media_id, "cover_image_url": "https://example.com/cover.jpg",
        **source}}


def test_video_pin(client):
    tok = token(client, "alice")
    b = board(client, tok)["id"]
    media_id = video_media(client, tok, mp4(1280, 720, 14_000))
    r = client.post("/v5/pins", json=video_pin_body(b, media_id), headers=bearer(tok))
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["creative_type"] == "VIDEO"
    media = p["media"]
    assert media["media_type"] == "video" and media["duration"] == 14000
    assert (media["width"], media["height"]) == (1280, 720) and media["video_url"] is None
    assert media["cover_image_url"].startswith("https://i.pinimg.com/videos/thumbnails/originals/")
    assert set(media["images"]) == {"150x150", "400x300", "600x", "1200x"}
    assert media["images"]["600x"]["height"] == round(600 * 720 / 1280)
    assert client.get(f"/v5/pins/{p['id']}", headers=bearer(tok)).json() == p
    # a base64 cover; the same upload may make several Pins
    body = video_pin_body(b, media_id, cover_image_url=None, cover_image_content_type="image/png",
                          cover_image_data=png(300, 200))
    body["media_source"] = {k: v for k, v in body["media_source"].items() if v is not None}
    r = client.post("/v5/pins", json=body, headers=bearer(tok))
    assert r.status_code == 201 and r.json()["media"]["images"]["600x"]["height"] == 400, r.text
    got = collect_pages(client, "/v5/pins", bearer(tok), {"creative_types": "VIDEO"})
    assert len(got) == 2


def test_video_pin_needs_a_finished_upload(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    b = board(client, alice)["id"]

    def create(media_id, **source):
        return client.post("/v5/pins", json=video_pin_body(b, media_id, **source), headers=bearer(alice))

    form = register_media(client, alice)
    r = create(form["media_id"])
    assert r.status_code == 400 and r.json()["code"] == 1 and "media_id" in r.json()["message"]
    assert "registered" in r.json()["message"]
    assert upload(client, form, mp4()).status_code == 204
    r = create(form["media_id"])
    assert r.status_code == 400 and "processing" in r.json()["message"]
    advance(client, 10)
    assert create(form["media_id"]).status_code == 201
    # failed processing
    bad = register_media(client, alice)
    assert upload(client, bad, b"not a video at all").status_code == 204
    advance(client, 10)
    r = create(bad["media_id"])
    assert r.status_code == 400 and r.json()["code"] == 1 and "failed" in r.json()["message"]
    # someone else's upload, an unknown one, no cover, cover data without its content type
    theirs = video_media(client, bob)
    for media_id in (theirs, "999999"):
        r = create(media_id)
        assert r.status_code == 400 and "not found" in r.json()["message"] and "media_id" in r.json()["message"]
    mine = video_media(client, alice)
    r = client.post("/v5/pins", json={"board_id": b, "media_source": {"source_type": "video_id", "media_id": mine}},
                    headers=bearer(alice))
    assert r.status_code == 400 and "cover_image_url" in r.json()["message"]
    r = client.post("/v5/pins", json={"board_id": b, "media_source": {
        "source_type": "video_id", "media_id": mine, "cover_image_data": png(200, 200)}}, headers=bearer(alice))
    assert r.status_code == 400 and "cover_image_content_type" in r.json()["message"]
    r = create(mine, cover_image_url="not a url")
    assert r.status_code == 400 and "cover_image_url" in r.json()["message"]
    assert len(collect_pages(client, "/v5/pins", bearer(alice))) == 1  # only the one that succeeded


def test_video_pin_through_business_access(client):
    """With ad_account_id the Pin is the account owner's; the upload may be the token user's."""
    from tests.factories import ad_account, grant

    owner, admin = token(client, "owner"), token(client, "admin")
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "admin", ["ADMIN"])
    b = board(client, owner)["id"]
    media_id = video_media(client, admin)
    r = client.post("/v5/pins", params={"ad_account_id": acct}, json=video_pin_body(b, media_id),
                    headers=bearer(admin))
    assert r.status_code == 201 and r.json()["board_owner"]["username"] == "owner", r.text


def test_video_pin_can_be_promoted_as_a_video_ad(client):
    from tests.factories import ad_account, ad_group, campaign

    tok = token(client, "alice")
    acct = ad_account(client, tok)["id"]
    group = ad_group(client, tok, acct, campaign(client, tok, acct, objective_type="VIDEO_VIEW")["id"])
    b = board(client, tok)["id"]
    pin = client.post("/v5/pins", json=video_pin_body(b, video_media(client, tok)), headers=bearer(tok)).json()
    r = client.post(f"/v5/ad_accounts/{acct}/ads", headers=bearer(tok), json=[{
        "ad_group_id": group["id"], "creative_type": "VIDEO", "pin_id": pin["id"], "status": "ACTIVE"}])
    item = r.json()["items"][0]
    assert r.status_code == 200 and not item.get("exceptions") and item["data"]["pin_id"] == pin["id"], r.text
    # an image Pin is no VIDEO creative
    image = client.post("/v5/pins", headers=bearer(tok), json={"board_id": b, "media_source": {
        "source_type": "image_url", "url": "https://example.com/a.jpg"}}).json()
    r = client.post(f"/v5/ad_accounts/{acct}/ads", headers=bearer(tok), json=[{
        "ad_group_id": group["id"], "creative_type": "VIDEO", "pin_id": image["id"], "status": "ACTIVE"}])
    assert r.json()["items"][0]["exceptions"], r.text
