"""Open311 GeoReport v2 in XML (https://wiki.open311.org/GeoReport_v2): the same documents as the
JSON ones, in the spec's element shapes.

A list of services is <services><service>…</service></services>, a service definition
<service_definition>, service requests <service_requests><request>…</request></service_requests>
(also the answer to a POST), errors <errors><error><code/><description/></error></errors>.
Field order follows the dicts the JSON views build; null is an empty element, booleans are
'true'/'false'.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from flask import Response

XML_TYPE = "text/xml; charset=utf-8"
# The list element of each document and the element of one of its items.
SERVICES = ("services", "service")
REQUESTS = ("service_requests", "request")
ERRORS = ("errors", "error")


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, list):
        # Only a definition's attributes and values are lists inside an item in GeoReport v2.
        singular = {"attributes": "attribute", "values": "value"}.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, singular), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def document(root: str, item: str | None, data: Any) -> bytes:
    """`data` (a list of dicts, with `item` naming each; or one dict) as a GeoReport XML file."""
    top = ET.Element(root)
    if item is None:
        _fill(top, data)
    else:
        for entry in data:
            _fill(ET.SubElement(top, item), entry)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def response(root: str, item: str | None, data: Any, status: int = 200) -> Response:
    return Response(document(root, item, data), status=status, mimetype="text/xml",
                    content_type=XML_TYPE)
