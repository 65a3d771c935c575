"""Fast checks of the packaging inputs: the PyInstaller spec's data files and Qt module
choice, the app icons, the Linux desktop entry and AppStream metadata, and the platform
start-up fixes. Building the bundle is slow and is not part of this run: that is
``bash packaging/build-linux.sh`` and ``bash packaging/smoke-test.sh``."""

from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import desktop
from desktop.engine import platform

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
APPICON = ROOT / "resources" / "appicon"
APP_ID = "io.berth.Berth"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# -- the spec ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> dict:
    """The spec's definitions (the part above its build marker), run without PyInstaller."""
    text = (PACKAGING / "berth.spec").read_text(encoding="utf-8")
    definitions, marker, _ = text.partition("# ---- the build;")
    assert marker, "berth.spec lost the marker between its definitions and the build"
    ns = {"SPECPATH": str(PACKAGING), "workpath": str(tmp_path_factory.mktemp("work")), "os": os}
    exec(compile(definitions, str(PACKAGING / "berth.spec"), "exec"), ns)
    return ns


def test_spec_data_files_exist(spec):
    datas = spec["data_files"]()
    assert datas, "the spec bundles no data files"
    for src, dest in datas:
        assert Path(src).is_file(), src
        assert not Path(dest).is_absolute(), dest
    assert (str(ROOT / "resources" / "berth.svg"), str(Path("desktop", "resources"))) in datas


def test_spec_stages_every_package(spec):
    staged = spec["stage_sources"]()
    assert (staged / "desktop" / "resources" / "__init__.py").is_file()
    assert (staged / "desktop" / "app.py").is_file()
    for init in (ROOT / "desktop").rglob("__init__.py"):
        rel = init.relative_to(ROOT)
        assert (staged / rel).is_file(), f"{rel} is not staged for the bundle"


def test_the_wheel_holds_every_module_and_resource(tmp_path):
    """The packages are found, not listed: a new folder under desktop/ lands in the wheel
    (and so in the .deb and the bundle), and so does every resource file."""
    src = tmp_path / "src"  # a copy: building leaves build/ and *.egg-info behind
    for name in ("desktop", "resources"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                          "--disable-pip-version-check", "-q", "-w", str(tmp_path / "dist"), str(src)],
                         check=False, capture_output=True, text=True, timeout=240)
    assert res.returncode == 0, res.stderr[-2000:]
    wheels = list((tmp_path / "dist").glob("berth-*.whl"))
    assert len(wheels) == 1, wheels
    import zipfile
    with zipfile.ZipFile(wheels[0]) as z:
        names = set(z.namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "desktop").rglob("*.py")
               if "__pycache__" not in p.parts}
    assert modules and modules <= names, sorted(modules - names)
    resources = {"desktop/resources/" + p.relative_to(ROOT / "resources").as_posix()
                 for p in (ROOT / "resources").rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts and "appicon" not in p.parts}
    # (appicon/ holds the installers' icons, read by packaging/ from the checkout)
    assert resources <= names, sorted(resources - names)
    assert not any(n.startswith(("tests/", "packaging/")) for n in names)


def _qt_modules_imported() -> set[str]:
    found = set()
    for path in (ROOT / "desktop").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                m = re.fullmatch(r"PySide6\.(Qt\w+)(\..*)?", name)
                if m:
                    found.add(m.group(1))
    return found


def test_spec_keeps_the_qt_modules_berth_imports(spec):
    used = _qt_modules_imported()
    assert {"QtCore", "QtWidgets"} <= used
    assert used <= spec["QT_MODULES"], f"add {sorted(used - spec['QT_MODULES'])} to QT_MODULES in berth.spec"
    excluded = set(spec["qt_excludes"]())
    assert not {f"PySide6.{m}" for m in used} & excluded
    assert "PySide6.QtQml" in excluded and "PySide6.QtNetwork" in excluded


def test_spec_prunes_only_unneeded_binaries(spec):
    toc = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/x/libqxcb.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "/x/libqoffscreen.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", "/x/libqvnc.so", "BINARY"),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", "/x/libqsvg.so", "BINARY"),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", "/x/libqsvgicon.so", "BINARY"),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/x/libqgtk3.so", "BINARY"),
        ("PySide6/Qt/translations/qtbase_de.qm", "/x/qtbase_de.qm", "DATA"),
        ("PySide6/Qt/translations/qt_help_de.qm", "/x/qt_help_de.qm", "DATA"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
        ("libpython3.11.so.1.0", "/usr/lib/libpython3.11.so.1.0", "BINARY"),
    ]
    kept = {entry[0] for entry in spec["pruned"](toc)}
    assert kept >= {"PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqoffscreen.so",
                    "PySide6/Qt/plugins/imageformats/libqsvg.so", "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
                    "PySide6/Qt/translations/qtbase_de.qm", "libQt6Gui.so.6", "libpython3.11.so.1.0"}
    assert not kept & {"PySide6/Qt/plugins/platforms/libqvnc.so", "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
                       "PySide6/Qt/translations/qt_help_de.qm", "libQt6Network.so.6"}


def test_spec_icons_and_version(spec):
    assert Path(spec["icon"]("win32")).is_file() and Path(spec["icon"]("darwin")).is_file()
    assert spec["icon"]("linux") is None
    assert spec["project_version"]() == desktop.__version__
    for name in ("berth.py", "rthook_selfcheck.py"):
        ast.parse((PACKAGING / name).read_text(encoding="utf-8"))


# -- icons ------------------------------------------------------------------------
def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_icons(size):
    data = (APPICON / f"berth-{size}.png").read_bytes()
    assert png_size(data) == (size, size)
    assert data[24:26] == bytes([8, 6]), "expected 8-bit RGBA"
    assert len(data) < 32 * 1024


def test_ico():
    data = (APPICON / "berth.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        w, h, _, _, planes, bpp, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        size = w or 256
        assert w == h and bpp == 32 and planes == 1
        assert offset + length <= len(data)
        entry = data[offset:offset + length]
        if entry[:8] == PNG_SIGNATURE:
            assert png_size(entry) == (size, size)
        else:  # a DIB: BITMAPINFOHEADER, XOR pixels, AND mask
            hsize, bw, bh, _, bits = struct.unpack_from("<IiiHH", entry)
            assert (hsize, bw, bh, bits) == (40, size, 2 * size, 32)
            mask_stride = ((size + 31) // 32) * 4
            assert length == 40 + size * size * 4 + mask_stride * size
        sizes.append(size)
    assert sorted(sizes) == [16, 24, 32, 48, 256]


def test_icns():
    data = (APPICON / "berth.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    expected = {b"icp4": 16, b"icp5": 32, b"icp6": 64, b"ic07": 128, b"ic08": 256, b"ic09": 512,
                b"ic11": 32, b"ic12": 64, b"ic13": 256, b"ic14": 512}
    seen = {}
    pos = 8
    while pos < len(data):
        kind, length = data[pos:pos + 4], struct.unpack(">I", data[pos + 4:pos + 8])[0]
        assert length > 8 and pos + length <= len(data)
        seen[kind] = png_size(data[pos + 8:pos + length])[0]
        pos += length
    assert seen == expected


def test_icons_come_from_the_svg():
    svg = ET.parse(ROOT / "resources" / "berth.svg").getroot()
    assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 256 256"
    assert (PACKAGING / "make_icons.py").is_file()


# -- Linux desktop integration ----------------------------------------------------
def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(PACKAGING / "linux" / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Berth"
    assert entry["Exec"].split()[0] == "berth"
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";") and "Development" in entry["Categories"].split(";")
    # X11 WM_CLASS of a Qt app is (executable name, application name).
    assert entry["StartupWMClass"] == "Berth"


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils is not installed")
def test_desktop_entry_validates():
    res = subprocess.run(["desktop-file-validate", str(PACKAGING / "linux" / f"{APP_ID}.desktop")],
                         check=False, capture_output=True, text=True)
    assert res.returncode == 0 and "error" not in res.stdout, res.stdout + res.stderr


def test_metainfo():
    root = ET.parse(PACKAGING / "linux" / f"{APP_ID}.metainfo.xml").getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.find("launchable").get("type") == "desktop-id"
    assert root.findtext("name") == "Berth"
    assert root.findtext("metadata_license") and root.findtext("project_license") == "MIT"
    assert root.find("description/p") is not None
    releases = [r.get("version") for r in root.iter("release")]
    assert desktop.__version__ in releases, "add a <release> for the current version"


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream is not installed")
def test_metainfo_validates():
    res = subprocess.run(["appstreamcli", "validate", "--no-net",
                          str(PACKAGING / "linux" / f"{APP_ID}.metainfo.xml")],
                         check=False, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_app_uses_the_desktop_file_name():
    """Wayland matches the window to the desktop entry by this name."""
    assert f'setDesktopFileName("{APP_ID}")' in (ROOT / "desktop" / "app.py").read_text(encoding="utf-8")


# -- build scripts ------------------------------------------------------------------
@pytest.mark.parametrize("script", ["build-linux.sh", "smoke-test.sh", "build-macos.sh"])
def test_shell_scripts_parse(script):
    res = subprocess.run(["bash", "-n", str(PACKAGING / script)], check=False, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_windows_installer_script():
    iss = (PACKAGING / "windows" / "berth.iss").read_text(encoding="utf-8")
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}", iss, re.M), "AppId must be a fixed GUID"
    for rel in re.findall(r'^SetupIconFile=(.+)$', iss, re.M):
        assert (PACKAGING / "windows" / rel.strip().replace("\\", "/")).resolve().is_file(), rel


def test_ci_workflow_builds_three_systems():
    text = (ROOT / ".github" / "workflows" / "build.yml").read_text(encoding="utf-8")
    for runner in ("ubuntu-", "windows-", "macos-"):
        assert runner in text
    assert "packaging/berth.spec" in text or "build-linux.sh" in text
    assert "\t" not in text, "YAML does not allow tabs"


# -- platform start-up fixes ------------------------------------------------------------
MAC_BASE = "/usr/bin:/bin:/usr/sbin:/sbin"  # what launchd gives a Finder-started app


def test_macos_path_gets_the_tool_dirs():
    env = {"PATH": MAC_BASE}
    added = platform.prepare_environment(env, platform="darwin", frozen=True)
    assert added == list(platform.MACOS_TOOL_DIRS)
    assert env["PATH"].split(":") == MAC_BASE.split(":") + list(platform.MACOS_TOOL_DIRS)


def test_macos_path_keeps_the_users_order_and_is_idempotent():
    env = {"PATH": "/opt/homebrew/bin:/usr/bin:/usr/local/bin"}
    assert platform.prepare_environment(env, platform="darwin") == [
        "/Applications/Docker.app/Contents/Resources/bin"]
    first = env["PATH"]
    assert first.startswith("/opt/homebrew/bin:/usr/bin:/usr/local/bin:")
    assert platform.prepare_environment(env, platform="darwin") == []
    assert env["PATH"] == first


def test_macos_empty_path():
    env: dict[str, str] = {}
    platform.prepare_environment(env, platform="darwin")
    assert env["PATH"] == os.pathsep.join(platform.MACOS_TOOL_DIRS)


@pytest.mark.parametrize("system", ["linux", "win32"])
def test_path_unchanged_elsewhere(system):
    env = {"PATH": "/usr/bin"}
    assert platform.prepare_environment(env, platform=system, frozen=False) == []
    assert env == {"PATH": "/usr/bin"}


def test_helpers_are_found_after_prepare(tmp_path, monkeypatch):
    """The point of it: shutil.which (what the docker SDK uses) finds a credential helper."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    helper = bindir / "docker-credential-osxkeychain"
    helper.write_text("#!/bin/sh\n")
    helper.chmod(0o755)
    monkeypatch.setattr(platform, "MACOS_TOOL_DIRS", (str(bindir),))
    env = {"PATH": "/usr/bin:/bin"}
    assert shutil.which(helper.name, path=env["PATH"]) is None
    platform.prepare_environment(env, platform="darwin")
    if sys.platform != "win32":
        assert shutil.which(helper.name, path=env["PATH"]) == str(helper)


def test_frozen_linux_restores_the_library_path():
    env = {"PATH": "/usr/bin", "LD_LIBRARY_PATH": "/opt/berth/_internal:/usr/local/lib",
           "LD_LIBRARY_PATH_ORIG": "/usr/local/lib"}
    platform.prepare_environment(env, platform="linux", frozen=True)
    assert env["LD_LIBRARY_PATH"] == "/usr/local/lib"
    platform.prepare_environment(env, platform="linux", frozen=True)
    assert env["LD_LIBRARY_PATH"] == "/usr/local/lib"

    env = {"LD_LIBRARY_PATH": "/opt/berth/_internal"}  # the user had none
    platform.prepare_environment(env, platform="linux", frozen=True)
    assert "LD_LIBRARY_PATH" not in env


def test_not_frozen_leaves_the_library_path():
    env = {"LD_LIBRARY_PATH": "/somewhere"}
    platform.prepare_environment(env, platform="linux", frozen=False)
    assert env == {"LD_LIBRARY_PATH": "/somewhere"}
    assert platform.is_frozen() is False


def test_platform_module_imports_no_qt():
    tree = ast.parse(Path(platform.__file__).read_text(encoding="utf-8"))
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not {m for m in modules if m.startswith(("PySide6", "shiboken6", "qasync"))}
