"""Record conversions (a lead into account, contact and opportunity), defined as metadata.

The definitions are ``metacrm/metadata/conversions.py``; this package runs
them through the record service (:mod:`.service`), parses callers' options
(:mod:`.request`) and keeps converted records read-only (:mod:`.lock`).
"""

from .lock import conversion_lock
from .request import ConversionRequest, parse_request
from .service import ConversionResult, ConversionService, TargetPreview

__all__ = ["ConversionRequest", "ConversionResult", "ConversionService", "TargetPreview", "conversion_lock",
           "parse_request"]
