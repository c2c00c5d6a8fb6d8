"""Enumerations of the spec shared by several domains."""

from __future__ import annotations

from enum import Enum

COUNTRIES = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO "
    "FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE "
    "JM JO JP KE KG KH KI KM KN KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP "
    "MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
    "QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN "
    "TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
).split()
Country = Enum("Country", {c: c for c in COUNTRIES}, type=str)

CURRENCIES = ("UNK USD GBP CAD EUR AUD NZD SEK ILS CHF HKD JPY SGD KRW NOK DKK PLN RON HUF CZK BRL MXN ARS CLP "
              "COP").split()
Currency = Enum("Currency", {c: c for c in CURRENCIES}, type=str)

_EUROZONE = "AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK AD MC SM VA ME XK".split()
_NATIONAL = {"US": "USD", "GB": "GBP", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "SE": "SEK", "IL": "ILS", "CH": "CHF",
             "LI": "CHF", "HK": "HKD", "JP": "JPY", "SG": "SGD", "KR": "KRW", "NO": "NOK", "DK": "DKK", "PL": "PLN",
             "RO": "RON", "HU": "HUF", "CZ": "CZK", "BR": "BRL", "MX": "MXN", "AR": "ARS", "CL": "CLP", "CO": "COP"}


def currency_for_country(country: str) -> str:
    """The currency Pinterest bills an ad account of this country in (USD where it has no local one)."""
    if country in _NATIONAL:
        return _NATIONAL[country]
    if country in _EUROZONE:
        return "EUR"
    return "USD"


class EntityStatus(str, Enum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    ARCHIVED = "ARCHIVED"
    DRAFT = "DRAFT"
    DELETED_DRAFT = "DELETED_DRAFT"


ENTITY_STATUSES = tuple(s.value for s in EntityStatus)
