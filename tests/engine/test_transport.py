"""docker-py's, urllib3's and http.client's private parts are used in one module only.

``desktop/engine/transport.py`` holds every such use, so that an upgrade of docker-py
or urllib3 is checked in one file. This test reads every other module of ``desktop/``
and fails when one touches a private name of those libraries again: an attribute
(``api._post``, ``response.raw._fp``) or a ``getattr``/``hasattr``/``setattr`` of one
(``getattr(raw, "_sock", None)``). Berth's own private attributes on its own objects
(``live._was_lost``) have names those libraries do not use, and are left alone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import docker

import desktop
from desktop.engine import transport

DESKTOP_DIR = Path(desktop.__file__).parent
TRANSPORT = Path(transport.__file__)

#: The private names of the objects Berth gets from the SDK, read in docker 7.2.0,
#: urllib3 2.8.0 and CPython 3.11: a docker ``APIClient`` (its private methods are
#: added from the installed class below), urllib3's ``HTTPResponse`` (``response.raw``),
#: http.client's ``HTTPResponse`` (``response.raw._fp``), ``socket.SocketIO`` and
#: docker-py's transports. ``chunk_left`` has no underscore but is no documented API.
LIBRARY_PRIVATE_NAMES = frozenset({
    # docker.api.client.APIClient
    "_post", "_get", "_put", "_delete", "_url", "_raise_for_status", "_result", "_stream_helper",
    "_get_raw_response_socket", "_read_from_socket", "_multiplexed_response_stream_helper",
    "_multiplexed_buffer_helper", "_stream_raw_result", "_custom_adapter", "_version", "_auth_configs",
    "_general_configs", "_proxy_configs", "_set_request_timeout", "_post_json", "_disable_socket_timeout",
    "_attach_params", "_attach_websocket", "_get_result", "_get_result_tty", "_check_is_tty",
    "_retrieve_server_version", "_unmount", "_set_auth_headers",
    # urllib3.response.HTTPResponse
    "_fp", "_body", "_connection", "_pool", "_original_response", "_decoder", "_fp_bytes_read",
    "_sock_shutdown", "_update_chunk_length", "_handle_chunk", "_raw_read", "_fp_read", "_error_catcher",
    "_request_url", "_retries", "_decoded_buffer",
    # http.client.HTTPResponse
    "_safe_read", "_read_chunked", "_read1_chunked", "_peek_chunked", "_get_chunk_left",
    "_read_next_chunk_size", "_close_conn", "_method", "chunk_left",
    # socket.SocketIO, docker.transport (NpipeSocket, SSHSocket, the adapters' pools)
    "_sock", "_handle", "_new_conn",
})


def private_names() -> frozenset[str]:
    """The names above and every private method of the installed ``docker.APIClient``."""
    client = {n for n in dir(docker.APIClient) if n.startswith("_") and not n.startswith("__")}
    return LIBRARY_PRIVATE_NAMES | client


def private_uses(source: str, names: frozenset[str]) -> list[tuple[int, str]]:
    """``(line, name)`` for every use of one of ``names`` on an object other than
    ``self``/``cls``: as an attribute, or as the constant name given to getattr, hasattr
    or setattr."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            target, name = node.value, node.attr
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "hasattr", "setattr", "delattr") and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            target, name = node.args[0], node.args[1].value
        else:
            continue
        if name in names and not (isinstance(target, ast.Name) and target.id in ("self", "cls")):
            found.append((node.lineno, name))
    return found


def test_only_the_transport_module_touches_the_libraries_private_names():
    names = private_names()
    files = sorted(p for p in DESKTOP_DIR.rglob("*.py") if p != TRANSPORT)
    assert len(files) > 20
    offenders = [f"{p.relative_to(DESKTOP_DIR.parent)}:{line}: {name}"
                 for p in files for line, name in private_uses(p.read_text(encoding="utf-8"), names)]
    assert offenders == []


def test_the_transport_module_is_where_they_are():
    # The rule finds the uses that were moved: were it blind, the test above could not fail.
    found = {name for _, name in private_uses(TRANSPORT.read_text(encoding="utf-8"), private_names())}
    assert {"_url", "_get", "_post", "_raise_for_status", "_stream_helper", "_fp", "_sock", "chunk_left"} <= found


def test_the_rule_finds_each_kind_of_use_and_spares_berths_own():
    source = '''
res = api._post(api._url("/containers/{0}/wait", ident), stream=True, timeout=None)
fp = response.raw._fp.fp
sock = getattr(raw, "_sock", None)
left = response.raw._fp.chunk_left
ok = hasattr(api, "_custom_adapter")
self._post = 1              # a class of Berth's may use any name on itself
live._was_lost = True       # a private attribute of Berth's own
LogViewer._save_dir = "/"
frozen = hasattr(sys, "_MEIPASS")
'''
    found = private_uses(source, private_names())
    assert sorted(name for _, name in found) == sorted(["_post", "_url", "_fp", "_sock", "_fp", "chunk_left",
                                                        "_custom_adapter"])
    assert {line for line, _ in found} == {2, 3, 4, 5, 6}
