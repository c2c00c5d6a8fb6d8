"""Every table module, imported once so the metadata (and Alembic, and reset) knows them all."""

from pinsandbox.core import db, tables  # noqa: F401
from pinsandbox.ads.campaigns import tables as _campaigns  # noqa: F401
from pinsandbox.ads.ad_groups import tables as _ad_groups  # noqa: F401
from pinsandbox.ads.ads import tables as _ads  # noqa: F401
from pinsandbox.ads.conversions import tables as _conversions  # noqa: F401
from pinsandbox.ads.keywords import tables as _keywords  # noqa: F401
from pinsandbox.organic.boards import tables as _boards  # noqa: F401
from pinsandbox.organic.pins import tables as _pins  # noqa: F401

metadata = db.metadata
