"""OpenAPI paths of reports and dashboards (``reports_api``)."""

from __future__ import annotations

from typing import Any

PROBLEM = {"$ref": "#/components/responses/Problem"}
NAME = [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}]
VALUE = {"type": ["string", "number", "boolean", "null"]}
REPORT = {"type": "object", "required": ["name", "label", "object", "chart"], "properties": {
    "name": {"type": "string"}, "label": {"type": "string"}, "description": {"type": "string"},
    "object": {"type": "string"}, "chart": {"type": "string"},
    "group_by": {"type": "array", "items": {"type": "string"}},
    "aggregates": {"type": "array", "items": {"type": "string"}},
    "filters": {"type": "object", "additionalProperties": {"type": "string"}}}}
RESULT = {"type": "object", "required": ["report", "rows", "totals"], "properties": {
    "report": {"$ref": "#/components/schemas/Report"},
    "rows": {"type": "array", "items": {"type": "object", "additionalProperties": VALUE},
             "description": "one per group: group keys (close_date:month) and aggregate keys (sum:amount)"},
    "totals": {"type": "object", "additionalProperties": VALUE}}}
DASHBOARD = {"type": "object", "required": ["name", "label", "widgets"], "properties": {
    "name": {"type": "string"}, "label": {"type": "string"}, "description": {"type": "string"},
    "filters": {"type": "array", "items": {"type": "string"}},
    "widgets": {"type": "array", "items": {"type": "object", "properties": {
        "report": {"type": "string"}, "title": {"type": "string"}, "width": {"type": "integer"},
        "date_field": {"type": ["string", "null"]},
        "result": {"oneOf": [{"$ref": "#/components/schemas/ReportResult"}, {"type": "null"}]},
        "error": {"type": ["string", "null"]}}}}}}
DASHBOARD_FILTERS = [
    {"name": "owner", "in": "query", "schema": {"type": "integer"}, "description": "only records of this owner"},
    {"name": "period", "in": "query", "schema": {"type": "string"},
     "description": "a relative date (this_quarter, last_n_days:30) on each widget's date field"},
    {"name": "date_from", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "date_to", "in": "query", "schema": {"type": "string", "format": "date"}}]


def _ok(schema: dict[str, Any], what: str) -> dict[str, Any]:
    return {"200": {"description": what, "content": {"application/json": {"schema": schema}}},
            "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}


def report_paths() -> dict[str, Any]:
    tags = ["Reports"]
    return {
        "/api/v1/reports": {"get": {"operationId": "list_reports", "tags": tags, "summary": "Reports you may run",
                                    "responses": _ok({"type": "object", "properties": {"data": {
                                        "type": "array", "items": {"$ref": "#/components/schemas/Report"}}}},
                                        "the reports")}},
        "/api/v1/reports/{name}/run": {"parameters": NAME, "get": {
            "operationId": "run_report", "tags": tags, "summary": "Run a report: grouped rows and totals",
            "description": "Any other query parameter is a query-language filter ANDed with the report's.",
            "responses": _ok({"$ref": "#/components/schemas/ReportResult"}, "the result")}},
        "/api/v1/reports/{name}.csv": {"parameters": NAME, "get": {
            "operationId": "export_report", "tags": tags, "summary": "A report's result as CSV",
            "responses": {"200": {"description": "CSV, one line per group and a Total line",
                                  "content": {"text/csv": {"schema": {"type": "string"}}}},
                          "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM}}},
        "/api/v1/dashboards": {"get": {"operationId": "list_dashboards", "tags": tags,
                                       "summary": "Dashboards shared with you",
                                       "responses": _ok({"type": "object"}, "the dashboards")}},
        "/api/v1/dashboards/{name}": {"parameters": NAME, "get": {
            "operationId": "run_dashboard", "tags": tags, "summary": "Every widget's result, filtered",
            "parameters": DASHBOARD_FILTERS,
            "responses": _ok({"$ref": "#/components/schemas/Dashboard"}, "the dashboard")}},
    }


def report_schemas() -> dict[str, Any]:
    return {"Report": REPORT, "ReportResult": RESULT, "Dashboard": DASHBOARD}
