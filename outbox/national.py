"""Gateways to the national PAKN system (routing.national.NationalGateway).

* `disabled` (the default): nothing leaves pakn-bot; staff still record the codes they got.
* `export`: files in the national form's fields (CSV for Excel in Vietnamese, or JSON) for the
  cases a focal point selects, so staff key them in on the national portal.
* `lgsp`: the slot for a real connection (LGSP/NDXP or its successor, with certificates). No
  public API or field specification exists for provincial systems, so it is configuration only
  and refuses to run; nothing here reads or scrapes the national portal's public pages.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from routing.national import (
    ATTACHMENT_SEPARATOR,
    EXPORT_FIELDS,
    ExportFile,
    NationalConfig,
    NationalGateway,
    NationalRecord,
)

LEFT_OUT = "(+{count} tệp vượt giới hạn, cần đính kèm thủ công)"
SEPARATORS = {"semicolon": ";", "comma": ","}


class DisabledGateway(NationalGateway):
    kind = "disabled"


class ExportGateway(NationalGateway):
    """Writes the national form's fields for staff to key in; submits nothing itself."""

    kind = "export"
    exports = True

    def __init__(self, config: NationalConfig) -> None:
        self.config = config

    def _attachments(self, record: NationalRecord) -> list[str]:
        labels = [a.label for a in record.attachments]
        if record.attachments_left_out:
            labels.append(LEFT_OUT.format(count=record.attachments_left_out))
        return labels

    def export(self, records: Sequence[NationalRecord], fmt: str, separator: str = ";") -> ExportFile:
        names = [self.config.column(key) for key in EXPORT_FIELDS]
        if fmt == "json":
            items = []
            for record in records:
                values = record.values()
                values["attachments"] = self._attachments(record)
                items.append({name: values[key] for key, name in zip(EXPORT_FIELDS, names)})
            content = json.dumps(items, ensure_ascii=False, indent=2).encode("utf-8")
            return ExportFile(content, "application/json; charset=utf-8", "cong-dvc-pakn.json")
        out = io.StringIO()
        writer = csv.writer(out, delimiter=separator)
        writer.writerow(names)
        for record in records:
            values = record.values()
            values["attachments"] = ATTACHMENT_SEPARATOR.join(self._attachments(record))
            writer.writerow([values[key] for key in EXPORT_FIELDS])
        # A BOM: Excel opens it as UTF-8 (Vietnamese letters intact), as the report CSV.
        return ExportFile(("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8",
                          "cong-dvc-pakn.csv")


class LgspGateway(NationalGateway):
    """The real connection's place. Until the city has access (endpoint, certificates, a field
    specification), every call refuses: NationalNotAvailable."""

    kind = "lgsp"


def build_gateway(config: NationalConfig) -> NationalGateway:
    if config.gateway == "export":
        return ExportGateway(config)
    if config.gateway == "lgsp":
        return LgspGateway()
    return DisabledGateway()
