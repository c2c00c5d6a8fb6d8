"""Contract: the organic flow with Pinterest's own generated Python client (PyPI
`pinterest-generated-client`) against a real pinsandbox server.

A board and a section, a video uploaded through media/create and its S3-style upload target, a video
Pin in the section, a save of it, updates, lists, search, Pin analytics and deletes — every answer decoded (and so checked
against Pinterest's models) by the client itself.
"""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from tests.factories import mp4
from tests.live import live_server, mint_token  # noqa: F401

client_pkg = pytest.importorskip("openapi_generated.pinterest_client",
                                 reason="pinterest-generated-client is not installed (pip install -e '.[test]')")

from openapi_generated.pinterest_client import ApiClient, Configuration  # noqa: E402
from openapi_generated.pinterest_client.api.boards_api import BoardsApi  # noqa: E402
from openapi_generated.pinterest_client.api.media_api import MediaApi  # noqa: E402
from openapi_generated.pinterest_client.api.pins_api import PinsApi  # noqa: E402
from openapi_generated.pinterest_client.api.search_api import SearchApi  # noqa: E402
from openapi_generated.pinterest_client.exceptions import NotFoundException  # noqa: E402
from openapi_generated.pinterest_client.model.board import Board  # noqa: E402
from openapi_generated.pinterest_client.model.board_section import BoardSection  # noqa: E402
from openapi_generated.pinterest_client.model.board_update import BoardUpdate  # noqa: E402
from openapi_generated.pinterest_client.model.inline_object1 import InlineObject1  # noqa: E402
from openapi_generated.pinterest_client.model.media_upload_request import MediaUploadRequest  # noqa: E402
from openapi_generated.pinterest_client.model.pin_create import PinCreate  # noqa: E402
from openapi_generated.pinterest_client.model.pin_update import PinUpdate  # noqa: E402
from openapi_generated.pinterest_client.model_utils import model_to_dict  # noqa: E402


def _name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def _v(value) -> str:
    """An enum value as the client gives it (a model wrapping the string, or the string)."""
    return getattr(value, "value", value)


def _ids(page) -> list[str]:
    return [i["id"] if isinstance(i, dict) else i.id for i in page["items"]]


@pytest.fixture(scope="module")
def api_client(live_server):  # noqa: F811
    config = Configuration(host=live_server.api, access_token=mint_token(live_server.root, "organic-contract"))
    with ApiClient(configuration=config) as client:
        yield client


def test_board_section_video_pin_save_update_list_delete(api_client, live_server):  # noqa: F811
    boards, pins, media = BoardsApi(api_client), PinsApi(api_client), MediaApi(api_client)

    board = boards.boards_create(Board(name=_name("Clips board"), description="Videos", privacy="PUBLIC"))
    section = boards.board_sections_create(board.id, BoardSection(name="Trailers"))
    assert section.name == "Trailers" and section.id.isdigit()

    # register the upload, POST the file as to S3, wait for processing (moving the sandbox clock on)
    registered = media.media_create(MediaUploadRequest(media_type="video"))
    fields = model_to_dict(registered.upload_parameters, serialize=True)
    assert {"key", "policy", "x-amz-signature"} <= set(fields)
    r = httpx.post(registered.upload_url, data=fields, files={"file": ("clip.mp4", mp4(1920, 1080, 21_000))})
    assert r.status_code == 204, r.text
    assert _v(media.media_get(registered.media_id).status) == "processing"
    httpx.put(live_server.root + "/_sandbox/clock", json={"advance_seconds": 10}).raise_for_status()
    details = media.media_get(registered.media_id)
    assert _v(details.status) == "succeeded" and _v(details.media_type) == "video"
    assert registered.media_id in [m["media_id"] if isinstance(m, dict) else m.media_id
                                   for m in media.media_list(page_size=250)["items"]]

    video_pin = pins.pins_create(PinCreate(
        board_id=board.id, board_section_id=section.id, title="Trailer", link="https://www.example.com/film",
        media_source={"source_type": "video_id", "media_id": registered.media_id,
                      "cover_image_url": "https://www.example.com/cover.jpg"}))
    assert video_pin.board_section_id == section.id
    assert _v(video_pin.creative_type) == "VIDEO"
    assert video_pin.media["media_type"] == "video" and video_pin.media["duration"] == 21000

    # save it to another board, then update, list and read back
    other = boards.boards_create(Board(name=_name("Saved board")))
    saved = pins.pins_save(video_pin.id, InlineObject1(board_id=other.id))
    assert saved.parent_pin_id == video_pin.id and saved.board_id == other.id

    updated = pins.pins_update(video_pin.id, PinUpdate(title="Final trailer", alt_text="a film trailer"))
    assert updated.title == "Final trailer" and updated.alt_text == "a film trailer"
    assert boards.boards_update(board.id, BoardUpdate(description="Film clips")).description == "Film clips"
    assert boards.board_sections_update(board.id, section.id, BoardSection(name="Teasers")).name == "Teasers"
    assert _ids(boards.board_sections_list(board.id)) == [section.id]
    assert _ids(boards.board_sections_list_pins(board.id, section.id)) == [video_pin.id]
    assert _ids(boards.boards_list_pins(board.id, creative_types=["VIDEO"])) == [video_pin.id]
    assert {video_pin.id, saved.id} <= set(_ids(pins.pins_list(page_size=250)))
    assert pins.pins_get(video_pin.id).title == "Final trailer"
    got = boards.boards_get(board.id)
    assert got.pin_count == 1 and got.media.image_cover_url

    # search the user's Pins and boards; read the Pin's analytics (decoded by the client's models)
    search = SearchApi(api_client)
    assert video_pin.id in _ids(search.search_user_pins_list("Final trailer"))
    assert board.id in _ids(search.search_user_boards_get(query="Clips board"))
    today = dt.datetime.now(dt.timezone.utc).date()
    analytics = pins.pins_analytics(video_pin.id, today - dt.timedelta(days=6), today,
                                    ["IMPRESSION", "OUTBOUND_CLICK", "SAVE"])
    everything = analytics["all"]
    days = [str(today - dt.timedelta(days=6 - k)) for k in range(7)]
    assert [str(d.date) for d in everything.daily_metrics] == days
    assert set(everything.summary_metrics) == {"IMPRESSION", "OUTBOUND_CLICK", "SAVE"}

    # delete: the Pin, the section, the boards
    pins.pins_delete(saved.id)
    boards.board_sections_delete(board.id, section.id)
    with pytest.raises(NotFoundException):
        pins.pins_get(video_pin.id)  # it was in the section
    boards.boards_delete(board.id)
    boards.boards_delete(other.id)
    with pytest.raises(NotFoundException):
        boards.boards_get(board.id)
