"""The Teams app package: a manifest with the schema's required fields, and two real icons."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker

from bot.cli import main
from bot.teams.manifest import app_package, png_size
from tests.teams.fake_teams import APP_ID

GUID = re.compile(r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$")


def _pixels(data: bytes) -> list[tuple[int, int, int, int]]:
    """The RGBA pixels of one of our PNGs (filter 0 rows)."""
    width, height = png_size(data)
    idat = b""
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    assert len(raw) == stride * height
    pixels = []
    for y in range(height):
        row = raw[y * stride : (y + 1) * stride]
        assert row[0] == 0
        pixels += [tuple(row[1 + 4 * x : 5 + 4 * x]) for x in range(width)]
    return pixels  # type: ignore[return-value]


def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> zipfile.ZipFile:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("TEAMS_APP_PASSWORD", "not-a-real-secret")
    monkeypatch.setenv("TEAMS_TENANT_ID", "contoso.onmicrosoft.com")
    assert main(["manifest", "teams", "--url", "https://mdt.council.test"]) == 0
    return zipfile.ZipFile(tmp_path / "mdt-teams.zip")


def test_the_package_has_a_valid_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    package = _package(tmp_path, monkeypatch)
    assert "Upload an app" in capsys.readouterr().out
    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
    manifest = json.loads(package.read("manifest.json"))
    for field in (
        "$schema",
        "manifestVersion",
        "version",
        "id",
        "developer",
        "name",
        "description",
        "icons",
        "accentColor",
    ):
        assert field in manifest, field
    assert manifest["manifestVersion"] == "1.17"
    assert "v1.17" in manifest["$schema"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert GUID.match(manifest["id"])
    assert manifest["id"] == APP_ID
    developer = manifest["developer"]
    assert developer["name"]
    for url in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert developer[url].startswith("https://mdt.council.test")
    assert 0 < len(manifest["name"]["short"]) <= 30
    assert len(manifest["name"]["full"]) <= 100
    assert 0 < len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert re.fullmatch(r"#[0-9A-F]{6}", manifest["accentColor"])
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    [commands] = bot["commandLists"]
    titles = [c["title"] for c in commands["commands"]]
    assert 0 < len(titles) <= 10
    assert {"help", "new", "start", "end"} <= set(titles)
    assert all(
        len(c["title"]) <= 32 and 0 < len(c["description"]) <= 128 for c in commands["commands"]
    )
    assert manifest["validDomains"] == ["mdt.council.test"]
    assert manifest["webApplicationInfo"]["id"] == APP_ID


def test_the_icons_are_the_sizes_teams_requires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(tmp_path, monkeypatch)
    color, outline = package.read("color.png"), package.read("outline.png")
    assert png_size(color) == (192, 192)
    assert png_size(outline) == (32, 32)
    outline_pixels = set(_pixels(outline))
    assert outline_pixels == {(255, 255, 255, 255), (0, 0, 0, 0)}, "white on transparent"
    assert all(alpha == 255 for *_rgb, alpha in _pixels(color)), "the colour icon is opaque"


def test_without_an_app_id_the_command_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TEAMS_APP_ID", raising=False)
    assert main(["manifest", "teams"]) == 2
    assert "TEAMS_APP_ID" in capsys.readouterr().err
    assert not (tmp_path / "mdt-teams.zip").exists()


def test_the_package_is_the_same_each_time() -> None:
    first = zipfile.ZipFile(io.BytesIO(app_package(APP_ID, "https://mdt.council.test")))
    second = zipfile.ZipFile(io.BytesIO(app_package(APP_ID, "https://mdt.council.test")))
    assert first.read("manifest.json") == second.read("manifest.json")
    assert first.read("color.png") == second.read("color.png")


def test_the_manifest_passes_the_schema_of_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = json.loads(_package(tmp_path, monkeypatch).read("manifest.json"))
    schema_file = Path(__file__).parent.parent / "data" / "teams-v1.17-officedev.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert manifest["manifestVersion"] == "1.17", "the vendored schema is the manifest's version"
    Draft4Validator.check_schema(schema)
    checker = Draft4Validator(schema, format_checker=FormatChecker())
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in checker.iter_errors(manifest)
    ]
    assert errors == []
    assert list(checker.iter_errors({**manifest, "colour": "red"}))
