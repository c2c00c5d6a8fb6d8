"""Every job handler module, imported once so that each has registered its kind (`service.register`).

Add a line per module that registers handlers.
"""

import pinsandbox.ads.mmm.jobs  # noqa: F401  (mmm_report)
import pinsandbox.ads.reports.jobs  # noqa: F401  (report)
import pinsandbox.ads.bulk.jobs  # noqa: F401  (bulk_download, bulk_upsert)
