"""Where a published port is reached from this machine: the page to open for a web server."""

from __future__ import annotations

from desktop.engine.records import Port


def browser_host(engine_host: str, ip: str) -> str:
    """The host name to open a port published on ``ip`` by the engine at ``engine_host``:
    a remote engine's own host for a port on all its addresses, else the address."""
    if engine_host.startswith(("tcp://", "ssh://", "http://", "https://")):
        rest = engine_host.split("://", 1)[1]
        host = rest.split("@")[-1].split("/")[0]
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if ip in ("", "0.0.0.0", "::"):
            return host
    if ip in ("", "0.0.0.0", "::", "127.0.0.1"):
        return "localhost" if ip != "127.0.0.1" else "127.0.0.1"
    return f"[{ip}]" if ":" in ip else ip


def port_url(engine_host: str, port: Port) -> str:
    """The address of the page behind a published port (https for 443 and 8443)."""
    scheme = "https" if port.private_port in (443, 8443) else "http"
    return f"{scheme}://{browser_host(engine_host, port.ip)}:{port.public_port}/"


def web_ports(ports: tuple[Port, ...]) -> list[Port]:
    """The published TCP ports, the likeliest web server first (80, 443, 8080, … then the rest)."""
    published = [p for p in ports if p.public_port and p.type == "tcp"]
    order = {80: 0, 443: 1, 8080: 2, 8000: 3, 8443: 4, 3000: 5}
    seen: set[int | None] = set()
    unique = []
    for p in sorted(published, key=lambda p: (order.get(p.private_port, 9), p.private_port)):
        if p.public_port not in seen:  # the same port on IPv4 and IPv6: once
            seen.add(p.public_port)
            unique.append(p)
    return unique
