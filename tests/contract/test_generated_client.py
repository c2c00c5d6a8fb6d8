"""Contract: Pinterest's own generated Python client (PyPI `pinterest-generated-client`) against a real
pinsandbox server.

The client is generated from Pinterest's spec and checks every response it decodes against its
models (types, enums, required fields), so these tests prove that code written for the real API
works unchanged against the sandbox: point `Configuration(host=...)` at it and go. The chain is the
one an advertiser builds: ad account -> campaign -> ad group -> (board -> pin) -> ad, each created
and read back through the client's APIs.
"""

from __future__ import annotations

import uuid

import pytest

from tests.live import live_server, mint_token  # noqa: F401

client_pkg = pytest.importorskip("openapi_generated.pinterest_client",
                                 reason="pinterest-generated-client is not installed (pip install -e '.[test]')")

from openapi_generated.pinterest_client import ApiClient, Configuration  # noqa: E402
from openapi_generated.pinterest_client.api.ad_accounts_api import AdAccountsApi  # noqa: E402
from openapi_generated.pinterest_client.api.ad_groups_api import AdGroupsApi  # noqa: E402
from openapi_generated.pinterest_client.api.ads_api import AdsApi  # noqa: E402
from openapi_generated.pinterest_client.api.boards_api import BoardsApi  # noqa: E402
from openapi_generated.pinterest_client.api.campaigns_api import CampaignsApi  # noqa: E402
from openapi_generated.pinterest_client.api.pins_api import PinsApi  # noqa: E402
from openapi_generated.pinterest_client.api.user_account_api import UserAccountApi  # noqa: E402
from openapi_generated.pinterest_client.exceptions import ApiException, NotFoundException  # noqa: E402
from openapi_generated.pinterest_client.model.action_type import ActionType  # noqa: E402
from openapi_generated.pinterest_client.model.ad_account_create_request import AdAccountCreateRequest  # noqa: E402
from openapi_generated.pinterest_client.model.ad_create_request import AdCreateRequest  # noqa: E402
from openapi_generated.pinterest_client.model.ad_group_create_request import AdGroupCreateRequest  # noqa: E402
from openapi_generated.pinterest_client.model.board import Board  # noqa: E402
from openapi_generated.pinterest_client.model.campaign_create_request import CampaignCreateRequest  # noqa: E402
from openapi_generated.pinterest_client.model.country import Country  # noqa: E402
from openapi_generated.pinterest_client.model.creative_type import CreativeType  # noqa: E402
from openapi_generated.pinterest_client.model.entity_status import EntityStatus  # noqa: E402
from openapi_generated.pinterest_client.model.objective_type import ObjectiveType  # noqa: E402
from openapi_generated.pinterest_client.model.pin_create import PinCreate  # noqa: E402


def _ids(page) -> list[str]:
    """Ids of a list response's items (the client leaves some list items as plain dicts)."""
    return [i["id"] if isinstance(i, dict) else i.id for i in page["items"]]


def _name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def api_client(live_server):  # noqa: F811
    token = mint_token(live_server.root, "contract")
    config = Configuration(host=live_server.api, access_token=token)
    with ApiClient(configuration=config) as client:
        yield client


@pytest.fixture(scope="module")
def ad_account(api_client):
    me = UserAccountApi(api_client).user_account_get()
    account = AdAccountsApi(api_client).ad_accounts_create(AdAccountCreateRequest(
        country=Country("US"), name=_name("Contract"), owner_user_id=me.id))
    return account


@pytest.fixture(scope="module")
def campaign(api_client, ad_account):
    response = CampaignsApi(api_client).campaigns_create(ad_account_id=ad_account.id, campaign_create_request=[
        CampaignCreateRequest(ad_account_id=ad_account.id, name=_name("Contract campaign"),
                              objective_type=ObjectiveType("AWARENESS"), status="ACTIVE",
                              daily_spend_cap=1_432_744_744, is_campaign_budget_optimization=True,
                              is_flexible_daily_budgets=False, is_automated_campaign=False)])
    item = response["items"][0]
    assert not item.get("exceptions"), item
    return item["data"]


@pytest.fixture(scope="module")
def ad_group(api_client, ad_account, campaign):
    response = AdGroupsApi(api_client).ad_groups_create(ad_account_id=ad_account.id, ad_group_create_request=[
        AdGroupCreateRequest(ad_account_id=ad_account.id, campaign_id=campaign.id, name=_name("Contract ad group"),
                             billable_event=ActionType("IMPRESSION"), bid_in_micro_currency=5_000_000,
                             status="ACTIVE")])
    item = response["items"][0]
    assert not item.get("exceptions"), item
    return item["data"]


@pytest.fixture(scope="module")
def pin(api_client):
    board = BoardsApi(api_client).boards_create(Board(name=_name("Contract board")))
    return PinsApi(api_client).pins_create(PinCreate(
        title=_name("Contract pin"), link="https://www.example.com/product", board_id=board.id,
        media_source={"source_type": "image_url", "url": "https://www.example.com/image.jpg"}))


def test_user_account(api_client):
    me = UserAccountApi(api_client).user_account_get()
    assert me.username == "contract"
    assert me.id.isdigit()


def test_ad_account_create_and_read_back(api_client, ad_account):
    api = AdAccountsApi(api_client)
    got = api.ad_accounts_get(ad_account.id)
    assert got.id == ad_account.id
    assert got.name == ad_account.name
    assert got.country == Country("US")
    listed = api.ad_accounts_list(page_size=250)
    assert ad_account.id in _ids(listed)


def test_unknown_ad_account_is_a_not_found_error(api_client):
    with pytest.raises(NotFoundException) as info:
        AdAccountsApi(api_client).ad_accounts_get("123456789")
    assert info.value.status == 404


def test_campaign_create_and_read_back(api_client, ad_account, campaign):
    got = CampaignsApi(api_client).campaigns_get(ad_account_id=ad_account.id, campaign_id=campaign.id)
    assert got.id == campaign.id
    assert got.ad_account_id == ad_account.id
    assert got.name == campaign.name
    assert got.objective_type == ObjectiveType("AWARENESS")
    listed = CampaignsApi(api_client).campaigns_list(ad_account_id=ad_account.id, campaign_ids=[campaign.id])
    assert _ids(listed) == [campaign.id]


def test_ad_group_create_and_read_back(api_client, ad_account, campaign, ad_group):
    got = AdGroupsApi(api_client).ad_groups_get(ad_account_id=ad_account.id, ad_group_id=ad_group.id)
    assert got.id == ad_group.id
    assert got.campaign_id == campaign.id
    assert got.ad_account_id == ad_account.id
    assert got.name == ad_group.name
    assert got.billable_event == ActionType("IMPRESSION")


def test_ad_create_and_read_back(api_client, ad_account, campaign, ad_group, pin):
    api = AdsApi(api_client)
    response = api.ads_create(ad_account_id=ad_account.id, ad_create_request=[AdCreateRequest(
        ad_group_id=ad_group.id, creative_type=CreativeType("REGULAR"), pin_id=pin.id, name=_name("Contract ad"),
        status=EntityStatus("ACTIVE"))])
    item = response["items"][0]
    assert not item.get("exceptions"), item
    created = item["data"]
    got = api.ads_get(ad_account_id=ad_account.id, ad_id=created.id)
    assert got.id == created.id
    assert got.ad_group_id == ad_group.id
    assert got.campaign_id == campaign.id
    assert got.ad_account_id == ad_account.id
    assert got.pin_id == pin.id
    assert got.name == created.name
    listed = api.ads_list(ad_account_id=ad_account.id, ad_ids=[created.id])
    assert _ids(listed) == [created.id]


def test_client_errors_are_pinterest_shaped(api_client, ad_account):
    """A bad request comes back as the client's ApiException with Pinterest's {code, message} body."""
    import json

    with pytest.raises(ApiException) as info:
        CampaignsApi(api_client).campaigns_get(ad_account_id=ad_account.id, campaign_id="999999999")
    assert info.value.status == 404
    body = json.loads(info.value.body)
    assert isinstance(body["code"], int) and body["message"]
