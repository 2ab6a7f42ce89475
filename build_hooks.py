"""Build step (setuptools ``build_py``): ship the top-level calendars/ and data/ in the wheel.

The repository keeps ``calendars/`` and ``data/`` at the top, where people edit and review
them. A wheel has no top level of its own, so the build copies both folders into the built
package as ``tracker/_bundled/calendars`` and ``tracker/_bundled/data``; tracker.config
reads them from there when the tracker runs installed (and from the checkout otherwise).
An editable install (``make install``) copies nothing: it reads the checkout directly.
"""

from __future__ import annotations

from pathlib import Path

from setuptools.command.build_py import build_py

#: Top-level folders shipped inside the package, and where they land in it.
BUNDLED = ("calendars", "data")
TARGET = Path("tracker", "_bundled")


def _shipped_files(folder: Path) -> list[Path]:
    """Every regular file under ``folder``, without caches and hidden files."""
    return sorted(
        path for path in folder.rglob("*")
        if path.is_file() and not any(part.startswith((".", "__pycache__"))
                                      for part in path.relative_to(folder).parts)
    )


class BuildPyWithBundledData(build_py):
    """``build_py`` that also copies calendars/ and data/ into tracker/_bundled/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in BUNDLED:
            source = Path(name)
            if not source.is_dir():
                raise FileNotFoundError(f"{source.resolve()}: missing, the wheel needs it")
            target = Path(self.build_lib) / TARGET / name
            for path in _shipped_files(source):
                destination = target / path.relative_to(source)
                self.mkpath(str(destination.parent))
                self.copy_file(str(path), str(destination))
