"""The channel poster (/console/ap-phich): an A4 PDF an office prints and puts up, with a QR code
and a short address for each channel citizens can write on (plan 181; SIPAS criterion 1).

A channel is on the poster when it is switched on (its platform secrets are set; the web chat
always is) and its public address is configured: channels.zalo.oa_id, channels.facebook
.page_username, channels.telegram.username, public.base_url (the web chat), hotline.phone.
An agency officer prints their own unit's poster; the focal point and admins pick any unit.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request

from console import poster_texts as P
from console.auth import roles_required, user
from console.deps import components
from console.poster_pdf import PosterChannel, render_poster
from console.scoring import unit_name
from routing.catalogue import Catalogue
from routing.ranking import Unit, scoring_unit
from routing.rules import COMMUNE_LEVEL_UNITS
from settings import Settings

blueprint = Blueprint("console_poster", __name__, url_prefix="/console")
CITY_WIDE = ("admin", "focal_point")


def _short(url: str) -> str:
    return re.sub(r"^https?://", "", url).rstrip("/")


def base_url() -> tuple[str, bool]:
    """The public address of this server, and whether it was configured (else the request's)."""
    configured = components().settings.public.base_url.rstrip("/")
    return (configured, True) if configured else (request.url_root.rstrip("/"), False)


def poster_channels(settings: Settings, enabled: set[str],
                    base: str) -> tuple[list[PosterChannel], dict[str, str]]:
    """The channels to print, in the poster's order, and why each missing one is missing."""
    channels = settings.channels
    addresses = {
        "zalo": ("https://zalo.me/{}", channels.zalo.oa_id),
        "facebook": ("https://m.me/{}", channels.facebook.page_username),
        "telegram": ("https://t.me/{}", channels.telegram.username.lstrip("@")),
    }
    found: list[PosterChannel] = []
    missing: dict[str, str] = {}
    for key, (pattern, name) in addresses.items():
        if key not in enabled:
            missing[key] = P.DISABLED
        elif not name.strip():
            missing[key] = P.MISSING[key]
        else:
            url = pattern.format(quote(name.strip(), safe=".-_"))
            found.append(PosterChannel(key, url, _short(url)))
    if "webchat" in enabled:
        found.append(PosterChannel("webchat", f"{base}/chat", _short(f"{base}/chat")))
    else:
        missing["webchat"] = P.DISABLED
    phone = settings.hotline.phone.strip()
    if phone:
        found.append(PosterChannel("hotline", "tel:" + re.sub(r"[^\d+]", "", phone), phone))
    else:
        missing["hotline"] = P.MISSING["hotline"]
    return found, missing


def units(catalogue: Catalogue) -> list[tuple[str, str]]:
    """(value, name) of every unit a poster can be made for: each city agency, then each ward's
    People's Committee and police."""
    choices = [(agency.id, agency.name) for agency in catalogue.agencies.values()
               if agency.id not in COMMUNE_LEVEL_UNITS]
    for agency in COMMUNE_LEVEL_UNITS:
        choices += [(f"{agency}:{ward.label}", unit_name(catalogue, (agency, ward.label)))
                    for ward in catalogue.wards]
    return choices


def _unit() -> tuple[str, str]:
    """(value, name) of the unit asked for: the officer's own, or the one picked by city staff."""
    catalogue = components().ctx.catalogue
    staff = user()
    if staff.role not in CITY_WIDE:
        own: Unit = scoring_unit(staff.scope.agency_id, staff.scope.ward)
        return ":".join(part for part in own if part), unit_name(catalogue, own)
    choices = units(catalogue)
    wanted = request.args.get("don_vi", "").strip()
    if not wanted:
        return choices[0]
    for value, name in choices:
        if value == wanted:
            return value, name
    abort(404)


def _channels() -> tuple[list[PosterChannel], dict[str, str], str, bool]:
    pakn = components()
    base, configured = base_url()
    found, missing = poster_channels(pakn.settings, set(pakn.channels), base)
    return found, missing, base, configured


@blueprint.get("/ap-phich")
@roles_required("focal_point", "admin", "agency_staff")
def page() -> str:
    value, name = _unit()
    found, missing, base, configured = _channels()
    city_wide = user().role in CITY_WIDE
    return render_template("console/poster.html", P=P, unit_value=value, unit=name,
                           choices=units(components().ctx.catalogue) if city_wide else [],
                           channels=found, missing=missing, base=base, configured=configured)


@blueprint.get("/ap-phich.pdf")
@roles_required("focal_point", "admin", "agency_staff")
def pdf() -> Response:
    value, name = _unit()
    found, _, base, _ = _channels()
    if not found:
        abort(404)
    content = render_poster(name, found, _short(f"{base}/tra-cuu"))
    response = Response(content, mimetype="application/pdf")
    folded = unicodedata.normalize("NFD", value.lower().replace("đ", "d"))
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(c for c in folded if c.isascii())).strip("-")
    response.headers["Content-Disposition"] = f'attachment; filename="ap-phich-pakn-{slug or "don-vi"}.pdf"'
    return response
