"""The licence identifiers mlsd accepts: SPDX ids seen on ML tooling, plus ``proprietary``.

The list is deliberately closed: a typo such as ``Apache2`` must fail loading rather than become
a new licence node. Add an SPDX id here when a real tool needs it.
"""
from __future__ import annotations

__all__ = ["PROPRIETARY", "SPDX_IDS", "OPEN_SOURCE_IDS", "is_known_license"]

PROPRIETARY = "proprietary"

#: OSI-approved SPDX identifiers.
OPEN_SOURCE_IDS = frozenset({
    "0BSD", "AFL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-2.0", "Artistic-2.0",
    "BSD-2-Clause", "BSD-3-Clause", "BSL-1.0", "CDDL-1.0", "EPL-1.0", "EPL-2.0", "EUPL-1.2",
    "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "ISC",
    "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later", "MIT", "MIT-0",
    "MPL-2.0", "MulanPSL-2.0", "NCSA", "PostgreSQL", "Python-2.0", "UPL-1.0", "Unlicense",
    "Zlib", "CECILL-2.1", "OSL-3.0",
    # Not on the OSI list itself, but the permissive PSF licence that Python-2.0 (OSI) is built
    # from; projects such as Matplotlib use a licence derived from it.
    "PSF-2.0",
})

#: Every SPDX identifier accepted, open source or not (source-available and content licences).
SPDX_IDS = OPEN_SOURCE_IDS | frozenset({
    "BUSL-1.1", "Elastic-2.0", "SSPL-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0",
    "CC0-1.0", "Commons-Clause", "FSL-1.1-ALv2", "FSL-1.1-MIT",
})


def is_known_license(value: str) -> bool:
    """Whether ``value`` is an accepted licence id.

    Examples
    --------
    >>> is_known_license("Apache-2.0"), is_known_license("proprietary"), is_known_license("Apache2")
    (True, True, False)
    """
    return value == PROPRIETARY or value in SPDX_IDS
