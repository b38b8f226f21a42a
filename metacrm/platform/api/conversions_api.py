"""REST access to conversions: ``POST /api/v1/records/<object>/<id>/convert/<conversion>``.

The body carries the contract's options per target key (``account_id``,
``do_not_create_opportunity``, ``opportunity_name``, ``owner_id``,
``converted_status``; see ``conversions/request.py``); the answer names the
records created or reused. Everything runs as the caller, in one transaction.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..conversions import ConversionService, parse_request
from ..errors import Unprocessable
from .context import platform
from .records_api import actor

bp = Blueprint("conversions_api", __name__, url_prefix="/api/v1/records")


@bp.post("/<object_name>/<int:record_id>/convert/<conversion>")
def convert(object_name: str, record_id: int, conversion: str) -> Response:
    caller = actor()
    body = request.get_json(silent=True) if request.content_length else {}
    if not isinstance(body, dict):
        raise Unprocessable("The body must be a JSON object of conversion options")
    service = ConversionService(platform().records)
    options = parse_request(service.definition(object_name, conversion), body)
    return jsonify(service.convert(caller, object_name, record_id, conversion, options).to_json())
