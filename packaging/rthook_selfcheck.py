"""PyInstaller runtime hook: a check of the frozen bundle, run instead of the app on request.

With ``BERTH_SELF_CHECK=1`` in the environment, the frozen ``berth`` checks what only a
frozen build can get wrong, prints one line per check to stdout and exits (status 0
when every check passed); any other non-empty value is a file to write the lines to
(a windowed Windows build has no stdout). Without the variable this hook does nothing.

The checks: the data files are found through ``importlib.resources`` inside the
bundle, Qt's platform plugin for this OS and the SVG plugins are there and an SVG
icon renders, keyring's backends are registered (its entry points need the package
metadata), the docker SDK's transport for this OS imports, and certifi's CA bundle
is present for HTTPS registries.
"""


def _berth_self_check(target):
    import os
    import sys
    import traceback

    results = []

    def check(name, fn):
        try:
            detail = fn()
        except Exception as exc:  # report every failure, not only the first
            results.append((False, name, f"{type(exc).__name__}: {exc}"))
            if sys.stderr is not None:  # None in a windowed Windows build
                traceback.print_exc()
        else:
            results.append((True, name, detail or ""))

    bundle = os.path.realpath(getattr(sys, "_MEIPASS", "") or "")

    def resources():
        from importlib.resources import files

        import desktop.resources

        root = files("desktop.resources")
        names = sorted(p.name for p in root.iterdir() if p.is_file() and not p.name.endswith((".py", ".pyc")))
        if "berth.svg" not in names:
            raise AssertionError(f"berth.svg not among {names}")
        if not root.joinpath("berth.svg").read_bytes().lstrip().startswith(b"<svg"):
            raise AssertionError("berth.svg is not an SVG document")
        path = os.path.realpath(desktop.resources.path("berth.svg"))
        if not path.startswith(bundle + os.sep):
            raise AssertionError(f"{path} is outside the bundle {bundle}")
        return f"{len(names)} files: {', '.join(names)}"

    def qt():
        from PySide6.QtCore import QLibraryInfo
        from PySide6.QtGui import QIcon, QImageReader
        from PySide6.QtWidgets import QApplication

        plugins = QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)
        wanted = {"linux": "libqxcb.so", "darwin": "libqcocoa.dylib", "win32": "qwindows.dll"}.get(sys.platform)
        have = sorted(os.listdir(os.path.join(plugins, "platforms")))
        if wanted and wanted not in have:
            raise AssertionError(f"no {wanted} in {have}")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication.instance() or QApplication([sys.argv[0]])
        formats = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
        if "svg" not in formats:
            raise AssertionError(f"no svg image format among {sorted(formats)}")
        import desktop.resources

        if QIcon(str(desktop.resources.path("berth.svg"))).pixmap(64, 64).isNull():
            raise AssertionError("the SVG app icon does not render")
        del app
        return f"platform plugins {', '.join(have)}"

    def keyring_backends():
        from importlib.metadata import entry_points

        import keyring

        eps = sorted(ep.name for ep in entry_points(group="keyring.backends"))
        if not eps:
            raise AssertionError("no keyring.backends entry points (package metadata missing)")
        return f"{eps}; active {type(keyring.get_keyring()).__name__}"

    def docker_transport():
        import docker
        import docker.transport as transport

        name = "NpipeHTTPAdapter" if sys.platform == "win32" else "UnixHTTPAdapter"
        if not hasattr(transport, name):
            raise AssertionError(f"docker.transport has no {name}")
        if sys.platform == "win32":
            import pywintypes  # noqa: F401
            import win32file  # noqa: F401
            import win32pipe  # noqa: F401
        return f"docker {docker.__version__}, {name}"

    def certificates():
        import certifi

        if not os.path.isfile(certifi.where()):
            raise AssertionError(f"{certifi.where()} is missing")
        return certifi.where()

    def version():
        import desktop
        from desktop.engine.platform import is_frozen

        if not is_frozen():
            raise AssertionError("desktop.engine.platform.is_frozen() is False")
        return desktop.__version__

    check("version", version)
    check("resources", resources)
    check("qt", qt)
    check("keyring", keyring_backends)
    check("docker", docker_transport)
    check("certificates", certificates)

    lines = [f"{'ok  ' if ok else 'FAIL'} {name}: {detail}" for ok, name, detail in results]
    failed = sum(not ok for ok, _, _ in results)
    lines.append(f"self-check: {len(results) - failed} passed, {failed} failed")
    text = "\n".join(lines) + "\n"
    if target == "1":
        if sys.stdout is not None:
            sys.stdout.write(text)
            sys.stdout.flush()
    else:
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
    sys.exit(1 if failed else 0)


def _berth_maybe_self_check():
    import os

    target = os.environ.get("BERTH_SELF_CHECK", "")
    if target:
        _berth_self_check(target)


_berth_maybe_self_check()
