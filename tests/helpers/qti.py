"""The official QTI 2.1 and content-packaging schemas, compiled offline, and checking a package with them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from quiz.exchange.qti import MANIFEST
from tests.helpers.paths import PROJECT

SCHEMAS = PROJECT.parent / "shared" / "schemas" / "qti-2.1"
QTI_XSD = SCHEMAS / "qtiv2p1" / "imsqti_v2p1.xsd"
CP_XSD = SCHEMAS / "imscp_v1p1.xsd"

# Where schemas point at the W3C's copies, the local ones are read instead.
LOCAL_COPIES = {
    "http://www.w3.org/2001/xml.xsd": "w3/xml.xsd",
    "http://www.w3.org/2009/01/xml.xsd": "w3/xml.xsd",
    "http://www.w3.org/2001/XInclude.xsd": "w3/XInclude.xsd",
    "http://www.w3.org/Math/XMLSchema/mathml2/mathml2.xsd": "w3/mathml2/mathml2.xsd",
}


class OfflineSchemas(etree.Resolver):
    """Serve known remote schema URLs from the local folder; refuse any other remote one."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def resolve(self, system_url, public_id, context):
        """The local copy of a known remote schema; refuse other remote ones, leave local files be."""
        if system_url in LOCAL_COPIES:
            return self.resolve_filename(str(self.root / LOCAL_COPIES[system_url]), context)
        if system_url.startswith(("http:", "https:", "ftp:")):
            raise OSError(f"schema import {system_url} has no local copy; nothing is fetched")
        return None  # a local file: lxml reads it as usual


def offline_parser(root: Path) -> etree.XMLParser:
    """A parser that never touches the network and reads remote schema imports from ``root``."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(OfflineSchemas(root))
    return parser


def load_schema(path: Path) -> etree.XMLSchema:
    """An official schema compiled offline; skips, naming the path, where it is absent."""
    if not path.is_file():
        pytest.skip(f"QTI schemas not found: {path}")
    return etree.XMLSchema(etree.parse(str(path), offline_parser(SCHEMAS)))


def unzip(data: bytes) -> dict[str, bytes]:
    """Every file of a zip archive, by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def invalid_files(files: dict[str, bytes], qti_schema, cp_schema) -> list[str]:
    """Every schema error of the package, one line each, with the file it is in."""
    errors = []
    for name, data in sorted(files.items()):
        schema = cp_schema if name == MANIFEST else qti_schema
        if not schema.validate(etree.fromstring(data)):
            errors += [f"{name}:{e.line}: {e.message}" for e in schema.error_log]
    return errors

