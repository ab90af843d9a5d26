"""Fetch configured lists from their official URLs and import them.

Defaults point at the publishers' own files; a YAML config (``--config``) or
per-list URL overrides replace them. Downloads stream to a temporary file, so a
large list never sits in memory, and each list is imported in its own
transaction: one failed download does not stop the others, and is reported.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

from flscreen.errors import FlscreenError, InvalidInput
from flscreen.lists.detect import FORMATS
from flscreen.lists.service import ImportOutcome, import_list
from flscreen.store import Store

OFAC_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"

DEFAULT_SOURCES: dict[str, dict[str, Any]] = {
    "uflpa": {"url": "https://www.dhs.gov/uflpa-entity-list", "format": "uflpa-html"},
    "ofac-sdn": {
        "format": "ofac-csv",
        "files": {
            "sdn.csv": f"{OFAC_EXPORTS}/SDN.CSV",
            "alt.csv": f"{OFAC_EXPORTS}/ALT.CSV",
            "add.csv": f"{OFAC_EXPORTS}/ADD.CSV",
            "sdn_comments.csv": f"{OFAC_EXPORTS}/SDN_COMMENTS.CSV",
        },
    },
    "uk-sanctions": {
        "url": "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.csv",
        "format": "uk-csv",
    },
    "eu-fsf": {
        "url": "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/"
        "content?token=dG9rZW4tMjAxNw",
        "format": "eu-xml",
    },
}
"""Official sources as of 2026; override any of them in a config file."""

USER_AGENT = "flscreen/0.1 (forced-labour import screening; list update)"


class FetchError(FlscreenError):
    """A list could not be downloaded (network, HTTP status); other lists still run."""


@dataclass(frozen=True, slots=True)
class ListSource:
    """Where one list comes from: a URL, or named files for a multi-file list (OFAC)."""

    name: str
    format: str
    url: str | None = None
    files: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.url or next(iter(self.files.values()), "")


def _source(name: str, spec: Mapping[str, Any], where: str) -> ListSource:
    if not isinstance(spec, Mapping):
        raise InvalidInput(f"{where}: list {name!r} must be a mapping with url and format")
    fmt = spec.get("format")
    if fmt not in FORMATS:
        raise InvalidInput(
            f"{where}: list {name!r} has format {fmt!r}; use one of {', '.join(FORMATS)}"
        )
    url = spec.get("url")
    files = spec.get("files") or {}
    if not url and not files:
        raise InvalidInput(f"{where}: list {name!r} needs a 'url' (or 'files' for OFAC)")
    if files and not isinstance(files, Mapping):
        raise InvalidInput(f"{where}: 'files' of list {name!r} must map file names to URLs")
    return ListSource(
        name, str(fmt), str(url) if url else None, {str(k): str(v) for k, v in files.items()}
    )


def load_sources(
    config: Path | None = None, env: Mapping[str, str] | None = None
) -> dict[str, ListSource]:
    """Defaults, overridden by the YAML ``config`` (``lists: {name: {url, format}}``;
    ``defaults: false`` drops the built-in ones), then by ``FLSCREEN_LIST_URL_<NAME>``
    entries of ``env`` (name upper-cased, '-' as '_')."""
    specs: dict[str, Mapping[str, Any]] = dict(DEFAULT_SOURCES)
    where = "built-in sources"
    if config is not None:
        where = str(config)
        if not config.exists():
            raise InvalidInput("config file not found", source=where)
        try:
            data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"not valid YAML: {exc}", source=where) from None
        if not isinstance(data, dict) or not isinstance(data.get("lists", {}), dict):
            raise InvalidInput("expected a mapping with a 'lists' mapping", source=where)
        if data.get("defaults") is False:
            specs = {}
        for name, spec in (data.get("lists") or {}).items():
            base = dict(specs.get(name, {}))
            if isinstance(spec, Mapping):
                base.update(spec)
                if "url" in spec and "files" not in spec:
                    base.pop("files", None)
                specs[str(name)] = base
            else:
                specs[str(name)] = spec
    sources = {name: _source(name, spec, where) for name, spec in specs.items()}
    for key, value in (env or {}).items():
        if key.startswith("FLSCREEN_LIST_URL_") and value:
            wanted = key[len("FLSCREEN_LIST_URL_") :].lower().replace("_", "-")
            if wanted in sources:
                old = sources[wanted]
                sources[wanted] = ListSource(old.name, old.format, value, {})
    return sources


def download(client: httpx.Client, url: str, target: Path) -> None:
    """Stream ``url`` into ``target``; raise FetchError with the URL on failure."""
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchError(f"{url}: HTTP {response.status_code}")
            with target.open("wb") as out:
                for chunk in response.iter_bytes(1 << 20):
                    out.write(chunk)
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {exc}") from exc


def fetch_and_import(store: Store, source: ListSource, client: httpx.Client) -> ImportOutcome:
    """Download one list (all its files) and import it as a version of ``source.name``."""
    retrieved_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    with tempfile.TemporaryDirectory(prefix="flscreen-fetch-") as tmp:
        folder = Path(tmp)
        if source.files:
            for file_name, url in source.files.items():
                download(client, url, folder / file_name)
            path = folder
        else:
            assert source.url is not None
            path = folder / "download"
            download(client, source.url, path)
        return import_list(
            store,
            path,
            source.name,
            fmt=source.format,
            source_label=source.label,
            retrieved_at=retrieved_at,
            actor="lists-update",
        )


def update_lists(
    store: Store,
    sources: Mapping[str, ListSource],
    only: str | None = None,
    timeout: float = 60.0,
    announce: Callable[[ListSource], None] | None = None,
) -> Iterator[ImportOutcome]:
    """Fetch and import each source (or just ``only``), yielding each outcome.

    ``announce`` is called before each download (the CLI says what it fetches).
    Failures are collected and raised together after the other lists ran.
    """
    if only is not None and only not in sources:
        raise InvalidInput(
            f"no configured source for list {only!r}; configured: {', '.join(sorted(sources))}"
        )
    failures: list[str] = []
    headers = {"User-Agent": USER_AGENT}
    with httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client:
        for name, source in sources.items():
            if only is not None and name != only:
                continue
            if announce is not None:
                announce(source)
            try:
                yield fetch_and_import(store, source, client)
            except (FetchError, InvalidInput) as exc:
                failures.append(f"{name}: {exc}")
    if failures:
        raise FetchError("update failed for " + "; ".join(failures))
