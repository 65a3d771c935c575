"""One logger per area; the level is set once by the entry point (``--debug``)."""

import logging

engine = logging.getLogger("berth.engine")
ui = logging.getLogger("berth.ui")
copy = logging.getLogger("berth.copy")
logs = logging.getLogger("berth.logs")


def setup(debug: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
