"""Every table module, imported once so the metadata (and Alembic, and reset) knows them all."""

from pinsandbox.core import db, tables  # noqa: F401
from pinsandbox.ads.campaigns import tables as _campaigns  # noqa: F401
from pinsandbox.ads.ad_groups import tables as _ad_groups  # noqa: F401
from pinsandbox.ads.ads import tables as _ads  # noqa: F401
from pinsandbox.ads.conversions import tables as _conversions  # noqa: F401
from pinsandbox.ads.keywords import tables as _keywords  # noqa: F401
from pinsandbox.jobs import tables as _jobs  # noqa: F401
from pinsandbox.ads.reports import tables as _reports  # noqa: F401
from pinsandbox.organic.boards import tables as _boards  # noqa: F401
from pinsandbox.organic.pins import tables as _pins  # noqa: F401
from pinsandbox.organic.sections import tables as _sections  # noqa: F401
from pinsandbox.organic.media import tables as _media  # noqa: F401
from pinsandbox.organic.user_account import tables as _user_account  # noqa: F401
from pinsandbox.organic.terms import tables as _terms  # noqa: F401

metadata = db.metadata
