"""The state file: one JSON object, written atomically (temp file + rename).

To stay fast with the ``large`` data set, each top-level section is serialised on its
own and the text is cached: a write re-serialises only the sections that changed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path


class StateFile:
    """Reads and writes the sandbox state at ``path`` (``None``: keep nothing on disk)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._cache: dict[str, str] = {}

    def load(self) -> dict | None:
        """The saved state, or ``None`` when there is no usable file."""
        if self.path is None or not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def save(
        self,
        sections: Iterable[str],
        dirty: set[str],
        value_of: Callable[[str], object],
    ) -> None:
        """Write every section, re-serialising those in ``dirty`` (or not yet cached)."""
        if self.path is None:
            return
        parts = []
        for name in sections:
            if name in dirty or name not in self._cache:
                self._cache[name] = json.dumps(value_of(name), separators=(",", ":"))
            parts.append(f"{json.dumps(name)}:")
            parts.append(self._cache[name])
            parts.append(",\n")
        parts[-1] = "}\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("{")
                handle.writelines(parts)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
