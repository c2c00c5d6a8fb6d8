"""The values the analytics facts use, in Pinterest's forms (data only).

Targeting values as the targeting analytics report them (see docs/pinterest-behaviour.md §3):
APPTYPE, GENDER and AGE_BUCKET are the TargetingSpec enums; PLACEMENT is the campaign placement
(SEARCH, BROWSE, OTHER); LOCATION is a US Nielsen DMA metro code (`"501"`); COUNTRY an ISO 3166-1
alpha-2 code; REGION an ISO 3166-2 code (`"US-NY"`); GEO a postal code prefixed by its country
(`"US:10001"`); TARGETED_INTEREST / PINNER_INTEREST interest names; AUDIENCE_INCLUDE an audience id;
KEYWORD free text.

The weights are rough shares of Pinterest's audience (they shape the simulated breakdowns, nothing
else). Metro codes and names follow Nielsen's DMA list; postal codes are real codes of the metro's
main city. Interest ids are the sandbox's own (stable, 12 digits); the names are Pinterest's
top-level interest categories.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---- closed enums ---------------------------------------------------------------------------------
APPTYPE: dict[str, float] = {"iphone": 0.30, "android_mobile": 0.24, "web": 0.20, "web_mobile": 0.11, "ipad": 0.09,
                             "android_tablet": 0.06}
GENDER: dict[str, float] = {"female": 0.62, "male": 0.30, "unknown": 0.08}
AGE_BUCKET: dict[str, float] = {"18-24": 0.22, "25-34": 0.27, "35-44": 0.19, "45-49": 0.09, "50-54": 0.08,
                                "55-64": 0.10, "65+": 0.05}
# Targeting accepts "21+" too (alcohol advertisers); people 21 and over fall in every bucket.
AGE_TARGETS: dict[str, tuple[str, ...]] = {**{b: (b,) for b in AGE_BUCKET}, "21+": tuple(AGE_BUCKET)}
PLACEMENT: dict[str, float] = {"BROWSE": 0.60, "SEARCH": 0.34, "OTHER": 0.06}
# An ad group's placement_group -> the placements it delivers on.
PLACEMENT_GROUPS: dict[str, tuple[str, ...]] = {"ALL": ("BROWSE", "SEARCH", "OTHER"), "SEARCH": ("SEARCH",),
                                                "BROWSE": ("BROWSE",), "OTHER": ("OTHER",)}

# Device class of an app type (the conversion facts' action_device / conversion_device).
DEVICE_OF_APPTYPE: dict[str, str] = {"iphone": "MOBILE", "android_mobile": "MOBILE", "web_mobile": "MOBILE",
                                     "ipad": "TABLET", "android_tablet": "TABLET", "web": "DESKTOP"}
APP_APPTYPES = frozenset({"iphone", "ipad", "android_mobile", "android_tablet"})  # native apps: in-app conversions


# ---- US metros (Nielsen DMA) ----------------------------------------------------------------------
@dataclass(frozen=True)
class Metro:
    code: str
    name: str
    region: str  # ISO 3166-2 of the state holding most of the metro
    weight: float  # share of US TV households, percent (approximate)
    postal: tuple[str, ...]


def _m(code: str, name: str, state: str, weight: float, *postal: str) -> Metro:
    return Metro(code, name, f"US-{state}", weight, postal)


METROS: dict[str, Metro] = {m.code: m for m in (
    _m("500", "Portland-Auburn", "ME", 0.35, "04101", "04210"),
    _m("501", "New York", "NY", 6.30, "10001", "10011", "11201", "07302"),
    _m("502", "Binghamton", "NY", 0.11, "13901"),
    _m("503", "Macon", "GA", 0.20, "31201"),
    _m("504", "Philadelphia", "PA", 2.60, "19103", "19107", "08002"),
    _m("505", "Detroit", "MI", 1.60, "48201", "48226"),
    _m("506", "Boston (Manchester)", "MA", 2.10, "02108", "02139", "03101"),
    _m("507", "Savannah", "GA", 0.30, "31401"),
    _m("508", "Pittsburgh", "PA", 0.95, "15213", "15222"),
    _m("509", "Ft. Wayne", "IN", 0.24, "46802"),
    _m("510", "Cleveland-Akron (Canton)", "OH", 1.30, "44113", "44308"),
    _m("511", "Washington, DC (Hagerstown)", "DC", 2.20, "20001", "20009", "22201"),
    _m("512", "Baltimore", "MD", 0.95, "21201", "21230"),
    _m("513", "Flint-Saginaw-Bay City", "MI", 0.38, "48502"),
    _m("514", "Buffalo", "NY", 0.50, "14202"),
    _m("515", "Cincinnati", "OH", 0.78, "45202"),
    _m("517", "Charlotte", "NC", 1.05, "28202", "28203"),
    _m("518", "Greensboro-H.Point-W.Salem", "NC", 0.60, "27401"),
    _m("521", "Providence-New Bedford", "RI", 0.52, "02903"),
    _m("524", "Atlanta", "GA", 2.20, "30303", "30309"),
    _m("527", "Indianapolis", "IN", 0.95, "46204"),
    _m("528", "Miami-Ft. Lauderdale", "FL", 1.45, "33130", "33301"),
    _m("529", "Louisville", "KY", 0.58, "40202"),
    _m("533", "Hartford & New Haven", "CT", 0.83, "06103", "06510"),
    _m("534", "Orlando-Daytona Bch-Melbrn", "FL", 1.40, "32801"),
    _m("535", "Columbus, OH", "OH", 0.83, "43215"),
    _m("539", "Tampa-St. Pete (Sarasota)", "FL", 1.70, "33602", "33701"),
    _m("544", "Norfolk-Portsmth-Newpt Nws", "VA", 0.62, "23510"),
    _m("548", "West Palm Beach-Ft. Pierce", "FL", 0.72, "33401"),
    _m("556", "Richmond-Petersburg", "VA", 0.50, "23219"),
    _m("560", "Raleigh-Durham (Fayetvlle)", "NC", 1.05, "27601", "27701"),
    _m("561", "Jacksonville", "FL", 0.62, "32202"),
    _m("566", "Harrisburg-Lncstr-Leb-York", "PA", 0.62, "17101"),
    _m("567", "Greenville-Spart-Ashevll-And", "SC", 0.75, "29601"),
    _m("602", "Chicago", "IL", 3.00, "60601", "60614", "60622"),
    _m("609", "St. Louis", "MO", 1.00, "63101"),
    _m("613", "Minneapolis-St. Paul", "MN", 1.50, "55401", "55102"),
    _m("616", "Kansas City", "MO", 0.80, "64105"),
    _m("617", "Milwaukee", "WI", 0.76, "53202"),
    _m("618", "Houston", "TX", 2.20, "77002", "77006"),
    _m("622", "New Orleans", "LA", 0.55, "70112"),
    _m("623", "Dallas-Ft. Worth", "TX", 2.50, "75201", "76102"),
    _m("635", "Austin", "TX", 0.85, "78701"),
    _m("640", "Memphis", "TN", 0.54, "38103"),
    _m("641", "San Antonio", "TX", 0.85, "78205"),
    _m("650", "Oklahoma City", "OK", 0.62, "73102"),
    _m("652", "Omaha", "NE", 0.36, "68102"),
    _m("659", "Nashville", "TN", 0.95, "37203"),
    _m("671", "Tulsa", "OK", 0.46, "74103"),
    _m("679", "Des Moines-Ames", "IA", 0.38, "50309"),
    _m("743", "Anchorage", "AK", 0.14, "99501"),
    _m("744", "Honolulu", "HI", 0.38, "96813"),
    _m("751", "Denver", "CO", 1.45, "80202", "80205"),
    _m("753", "Phoenix (Prescott)", "AZ", 1.85, "85004", "85251"),
    _m("757", "Boise", "ID", 0.30, "83702"),
    _m("770", "Salt Lake City", "UT", 0.85, "84101"),
    _m("789", "Tucson (Sierra Vista)", "AZ", 0.40, "85701"),
    _m("790", "Albuquerque-Santa Fe", "NM", 0.58, "87102"),
    _m("800", "Bakersfield", "CA", 0.20, "93301"),
    _m("803", "Los Angeles", "CA", 4.90, "90012", "90028", "90401"),
    _m("807", "San Francisco-Oak-San Jose", "CA", 2.10, "94102", "94110", "95113"),
    _m("819", "Seattle-Tacoma", "WA", 1.65, "98101", "98402"),
    _m("820", "Portland, OR", "OR", 1.00, "97204", "97209"),
    _m("825", "San Diego", "CA", 0.92, "92101"),
    _m("839", "Las Vegas", "NV", 0.72, "89101"),
    _m("862", "Sacramento-Stockton-Modesto", "CA", 1.25, "95814"),
    _m("866", "Fresno-Visalia", "CA", 0.50, "93721"),
    _m("881", "Spokane", "WA", 0.37, "99201"),
)}


# ---- countries and regions ------------------------------------------------------------------------
@dataclass(frozen=True)
class Region:
    code: str  # ISO 3166-2
    name: str
    weight: float  # share of the country's audience
    postal: tuple[str, ...]


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str
    weight: float  # relative audience size (US = 100)
    regions: tuple[Region, ...]


def _r(code: str, name: str, weight: float, *postal: str) -> Region:
    return Region(code, name, weight, postal)


def _us_regions() -> tuple[Region, ...]:
    states: dict[str, list[Metro]] = {}
    for m in METROS.values():
        states.setdefault(m.region, []).append(m)
    return tuple(Region(code, code, sum(m.weight for m in ms), tuple(p for m in ms for p in m.postal))
                 for code, ms in sorted(states.items()))


COUNTRIES: dict[str, Country] = {c.code: c for c in (
    Country("US", "United States", 100, _us_regions()),  # US delivery is by metro (METROS)
    Country("CA", "Canada", 12, (_r("CA-ON", "Ontario", 0.39, "M5V", "K1P"), _r("CA-QC", "Quebec", 0.22, "H2X", "G1R"),
                                 _r("CA-BC", "British Columbia", 0.14, "V6B"), _r("CA-AB", "Alberta", 0.12, "T2P", "T5J"))),
    Country("GB", "United Kingdom", 18, (_r("GB-ENG", "England", 0.84, "SW1A", "M1", "B1", "LS1"),
                                         _r("GB-SCT", "Scotland", 0.08, "EH1", "G1"), _r("GB-WLS", "Wales", 0.05, "CF10"),
                                         _r("GB-NIR", "Northern Ireland", 0.03, "BT1"))),
    Country("DE", "Germany", 17, (_r("DE-BY", "Bavaria", 0.16, "80331", "90402"), _r("DE-BE", "Berlin", 0.05, "10115"),
                                  _r("DE-NW", "North Rhine-Westphalia", 0.22, "50667", "40213"),
                                  _r("DE-HH", "Hamburg", 0.03, "20095"), _r("DE-HE", "Hesse", 0.08, "60311"),
                                  _r("DE-BW", "Baden-Wuerttemberg", 0.13, "70173"))),
    Country("FR", "France", 16, (_r("FR-IDF", "Ile-de-France", 0.19, "75001", "75011"),
                                 _r("FR-ARA", "Auvergne-Rhone-Alpes", 0.12, "69001"),
                                 _r("FR-PAC", "Provence-Alpes-Cote d'Azur", 0.08, "13001", "06000"),
                                 _r("FR-NAQ", "Nouvelle-Aquitaine", 0.09, "33000"))),
    Country("JP", "Japan", 9, (_r("JP-13", "Tokyo", 0.30, "100-0001", "150-0002"), _r("JP-27", "Osaka", 0.15, "530-0001"),
                               _r("JP-14", "Kanagawa", 0.15, "220-0011"), _r("JP-23", "Aichi", 0.10, "450-0002"))),
    Country("AU", "Australia", 8, (_r("AU-NSW", "New South Wales", 0.32, "2000"), _r("AU-VIC", "Victoria", 0.26, "3000"),
                                   _r("AU-QLD", "Queensland", 0.20, "4000"), _r("AU-WA", "Western Australia", 0.11, "6000"))),
    Country("BR", "Brazil", 30, (_r("BR-SP", "Sao Paulo", 0.22, "01001-000", "04538-132"),
                                 _r("BR-RJ", "Rio de Janeiro", 0.08, "20010-000"),
                                 _r("BR-MG", "Minas Gerais", 0.10, "30130-000"))),
    Country("MX", "Mexico", 20, (_r("MX-CMX", "Ciudad de Mexico", 0.15, "06000", "11560"),
                                 _r("MX-JAL", "Jalisco", 0.07, "44100"), _r("MX-NLE", "Nuevo Leon", 0.05, "64000"))),
    Country("ES", "Spain", 8, (_r("ES-MD", "Madrid", 0.14, "28001", "28013"), _r("ES-CT", "Catalonia", 0.16, "08001"),
                               _r("ES-AN", "Andalusia", 0.18, "41001"))),
    Country("IT", "Italy", 9, (_r("IT-25", "Lombardy", 0.17, "20121"), _r("IT-62", "Lazio", 0.10, "00184"),
                               _r("IT-72", "Campania", 0.10, "80121"))),
    Country("NL", "Netherlands", 4, (_r("NL-NH", "North Holland", 0.17, "1012"), _r("NL-ZH", "South Holland", 0.21, "2511", "3011"),
                                     _r("NL-UT", "Utrecht", 0.08, "3511"))),
    Country("SE", "Sweden", 2, (_r("SE-AB", "Stockholm", 0.23, "111 20"), _r("SE-O", "Vastra Gotaland", 0.17, "411 03"),
                                _r("SE-M", "Skane", 0.13, "211 20"))),
    Country("NO", "Norway", 1.2, (_r("NO-03", "Oslo", 0.13, "0150"), _r("NO-46", "Vestland", 0.12, "5003"))),
    Country("DK", "Denmark", 1.2, (_r("DK-84", "Capital Region", 0.32, "1050"), _r("DK-82", "Central Jutland", 0.23, "8000"))),
    Country("FI", "Finland", 1.0, (_r("FI-18", "Uusimaa", 0.31, "00100"), _r("FI-11", "Pirkanmaa", 0.10, "33100"))),
    Country("IE", "Ireland", 1.2, (_r("IE-L", "Leinster", 0.55, "D01", "D02"), _r("IE-M", "Munster", 0.27, "T12"))),
    Country("AT", "Austria", 1.8, (_r("AT-9", "Vienna", 0.22, "1010"), _r("AT-6", "Styria", 0.14, "8010"))),
    Country("CH", "Switzerland", 1.8, (_r("CH-ZH", "Zurich", 0.18, "8001"), _r("CH-GE", "Geneva", 0.06, "1201"),
                                       _r("CH-BE", "Bern", 0.12, "3011"))),
    Country("BE", "Belgium", 2.2, (_r("BE-BRU", "Brussels", 0.11, "1000"), _r("BE-VLG", "Flanders", 0.58, "2000", "9000"),
                                   _r("BE-WAL", "Wallonia", 0.31, "4000"))),
    Country("PL", "Poland", 5, (_r("PL-MZ", "Masovia", 0.14, "00-001"), _r("PL-MA", "Lesser Poland", 0.09, "30-001"))),
    Country("PT", "Portugal", 2, (_r("PT-11", "Lisbon", 0.22, "1100-148"), _r("PT-13", "Porto", 0.17, "4000-322"))),
    Country("NZ", "New Zealand", 1.2, (_r("NZ-AUK", "Auckland", 0.34, "1010"), _r("NZ-WGN", "Wellington", 0.11, "6011"))),
    Country("AR", "Argentina", 6, (_r("AR-C", "Buenos Aires City", 0.07, "C1002"), _r("AR-B", "Buenos Aires", 0.38, "B1900"))),
    Country("CL", "Chile", 3, (_r("CL-RM", "Santiago Metropolitan", 0.40, "8320000"), _r("CL-VS", "Valparaiso", 0.10, "2340000"))),
    Country("CO", "Colombia", 5, (_r("CO-DC", "Bogota", 0.16, "110111"), _r("CO-ANT", "Antioquia", 0.13, "050001"))),
)}


def geo_value(country: str, postal: str) -> str:
    """A GEO targeting value: the postal code prefixed by its country ("US:94102")."""
    return f"{country}:{postal}"


# ---- interests ------------------------------------------------------------------------------------
# id -> name; the sandbox's ids for Pinterest's top-level interests (weights: audience share).
INTERESTS: dict[str, tuple[str, float]] = {
    "935249274030": ("Animals", 0.030), "918105274631": ("Architecture", 0.020), "961238559656": ("Art", 0.035),
    "935541271955": ("Beauty", 0.060), "922134410098": ("Children's Fashion", 0.020), "902065567321": ("Design", 0.030),
    "934876475639": ("DIY and Crafts", 0.060), "922203297757": ("Education", 0.025), "960887632144": ("Electronics", 0.020),
    "953061268473": ("Entertainment", 0.040), "941870572865": ("Event Planning", 0.030), "913207199297": ("Finance", 0.015),
    "918530398158": ("Food and Drinks", 0.090), "909983286710": ("Gardening", 0.030), "898620064290": ("Health", 0.035),
    "935654507000": ("Home Decor", 0.090), "924581335376": ("Men's Fashion", 0.030), "920236059316": ("Parenting", 0.030),
    "948192800438": ("Quotes", 0.020), "919812032692": ("Sport", 0.030), "908182459161": ("Travel", 0.050),
    "918093243960": ("Vehicles", 0.015), "903260720461": ("Wedding", 0.035), "948967005229": ("Women's Fashion", 0.080),
    "961764237041": ("Holidays and Events", 0.030), "928167003853": ("Photography", 0.015), "947015271120": ("Science", 0.010),
    "931446398163": ("Technology", 0.015), "956451235872": ("Fitness", 0.030), "906982533702": ("Beverages", 0.015),
}
INTEREST_IDS_BY_NAME: dict[str, str] = {name.lower(): iid for iid, (name, _) in INTERESTS.items()}


def interest_name(value: str) -> str:
    """The name of an interest given by id or by name; other values are kept as given."""
    if value in INTERESTS:
        return INTERESTS[value][0]
    iid = INTEREST_IDS_BY_NAME.get(value.strip().lower())
    return INTERESTS[iid][0] if iid else value


# ---- currencies -----------------------------------------------------------------------------------
def currency_factor(currency: str) -> float:
    """Units of `currency` worth about one US dollar (a JPY account spends ~150x the micro-units of a
    USD one for the same delivery). One table for the whole sandbox: the bid floors use it too."""
    from pinsandbox.ads.campaigns.service import CURRENCY_PER_USD

    return float(CURRENCY_PER_USD.get(currency, 1))
