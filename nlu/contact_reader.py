"""The contact extractor of the active model version, for the intake: re-opened when the ACTIVE
pointer changes (like the NLU service's model), None while that version has no contact tagger."""
from __future__ import annotations

import logging
import threading

from nlu.contacts import ContactExtractor, Contacts
from nlu.models import ModelStore

logger = logging.getLogger(__name__)


class ActiveContacts:
    """Callable: the contact details in a text, or None when no tagger is available."""

    def __init__(self, store: ModelStore) -> None:
        self.store = store
        self._version: str | None = None
        self._extractor: ContactExtractor | None = None
        self._lock = threading.Lock()

    def __call__(self, text: str) -> Contacts | None:
        extractor = self._current()
        if extractor is None or not text.strip():
            return None
        return extractor.extract(text)

    def _current(self) -> ContactExtractor | None:
        version = self.store.active_version()
        if version != self._version:
            with self._lock:
                if version != self._version:
                    try:
                        self._extractor = self.store.load_contacts(version) if version else None
                    except (OSError, KeyError, ValueError) as error:
                        logger.warning("contact tagger of %s not loaded: %s", version, error)
                        self._extractor = None
                    self._version = version
        return self._extractor
