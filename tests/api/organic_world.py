"""A small organic world with exact facts, shared by the Pin and user account analytics tests.

Clock: users, boards and Pins are made on 2026-01-01 (p3 on 2026-03-12), then the clock is frozen at
2026-03-15T12:00Z (today: 2026-03-15, PROCESSING). Facts (organic table, through POST /_sandbox/facts):

  pin        owner  claimant  format           day         app     content  impression save pin_click outbound
  p1         alice  -         ORGANIC_IMAGE    2026-01-05  MOBILE  ORGANIC  20 (3 comments, 4 reactions)
  p1                                           2026-03-10  MOBILE  ORGANIC  100  5  7  2  (1 comment, 1 reaction)
  p1                                           2026-03-10  WEB     ORGANIC  40   2  1  0
  p1                                           2026-03-11  TABLET  ORGANIC  10   0  0  0
  p1                          ADS_STANDARD     2026-03-11  MOBILE  PAID     30   1  2  0
  p1                                           2026-03-15  MOBILE  ORGANIC  999 (today: never counted)
  p2         alice  alice     ORGANIC_PRODUCT  2026-03-12  WEB     ORGANIC  60   3  4  2
  OTHER      bob    alice     ORGANIC_IMAGE    2026-03-12  MOBILE  ORGANIC  25   1  0  0
  VIDEO      alice  -         ORGANIC_VIDEO    2026-03-11  MOBILE  ORGANIC  80   0  0  0  (40 starts, 30 MRC,
                                                                             12 10s, 8 95%, 200000 ms watch time)
  p3         alice  -         ORGANIC_IMAGE    2026-03-13  MOBILE  ORGANIC  5    0  0  0

OTHER and VIDEO are Pin ids the sandbox does not have (fixtures may name any Pin with its owner).
"""

from __future__ import annotations

from typing import Any

from tests import factories as f
from tests.factories import bearer

NOW = "2026-03-15T12:00:00Z"
OTHER = "900000000000000001"
VIDEO = "900000000000000002"


def load(client, rows: list[dict[str, Any]], table: str | None = "organic"):
    body: dict[str, Any] = {"rows": rows}
    if table is not None:
        body["table"] = table
    return client.post("/_sandbox/facts", json=body)


def build(client) -> dict[str, Any]:
    assert client.put("/_sandbox/clock", json={"now": "2026-01-01T00:00:00Z", "frozen": True}).status_code == 200
    tok = f.token(client, "alice")
    f.token(client, "bob")
    board = f.board(client, tok)["id"]
    secret_board = f.board(client, tok, privacy="SECRET")["id"]
    p1 = f.pin(client, tok, board)["id"]
    p2 = f.pin(client, tok, board, media_source={"source_type": "pin_url", "is_affiliate_link": False},
               link="https://shop.example.com/item")["id"]
    secret_pin = f.pin(client, tok, secret_board)["id"]
    assert client.put("/_sandbox/clock", json={"now": "2026-03-12T10:00:00Z", "frozen": True}).status_code == 200
    tok = f.token(client, "alice")
    p3 = f.pin(client, tok, board)["id"]
    assert client.put("/_sandbox/clock", json={"now": NOW, "frozen": True}).status_code == 200
    tok = f.token(client, "alice")
    bob_tok = f.token(client, "bob")
    alice, bob = f.user_id(client, tok), f.user_id(client, bob_tok)
    rows = [
        {"day": "2026-01-05", "pin_id": p1, "app_type": "MOBILE", "impression": 20, "total_comments": 3,
         "total_reactions": 4},
        {"day": "2026-03-10", "pin_id": p1, "app_type": "MOBILE", "impression": 100, "save": 5, "pin_click": 7,
         "outbound_click": 2, "total_comments": 1, "total_reactions": 1},
        {"day": "2026-03-10", "pin_id": p1, "app_type": "WEB", "impression": 40, "save": 2, "pin_click": 1},
        {"day": "2026-03-11", "pin_id": p1, "app_type": "TABLET", "impression": 10},
        {"day": "2026-03-11", "pin_id": p1, "app_type": "MOBILE", "content_type": "PAID", "impression": 30,
         "save": 1, "pin_click": 2},
        {"day": "2026-03-15", "pin_id": p1, "app_type": "MOBILE", "impression": 999, "save": 99},
        {"day": "2026-03-12", "pin_id": p2, "app_type": "WEB", "impression": 60, "save": 3, "pin_click": 4,
         "outbound_click": 2, "claimant_user_id": alice},
        {"day": "2026-03-12", "pin_id": OTHER, "owner_user_id": bob, "claimant_user_id": alice, "app_type": "MOBILE",
         "impression": 25, "save": 1},
        {"day": "2026-03-11", "pin_id": VIDEO, "owner_user_id": alice, "pin_format": "ORGANIC_VIDEO",
         "app_type": "MOBILE", "impression": 80, "video_start": 40, "video_mrc_view": 30, "video_10s_view": 12,
         "quartile_95_percent_view": 8, "video_v50_watch_time_ms": 200000},
        {"day": "2026-03-13", "pin_id": p3, "app_type": "MOBILE", "impression": 5},
    ]
    r = load(client, rows)
    assert r.status_code == 200, r.text
    return {"tok": tok, "bob_tok": bob_tok, "alice": alice, "bob": bob, "board": board, "p1": p1, "p2": p2,
            "p3": p3, "secret_pin": secret_pin}


def get(client, path: str, tok: str | None, **params: Any):
    q = {k: ",".join(v) if isinstance(v, (list, tuple)) else v for k, v in params.items() if v is not None}
    return client.get(path, params=q, headers=bearer(tok) if tok else {})
