"""The images table: ``docker images`` as a live model, one row per tag."""

from __future__ import annotations

import enum
import time
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt

from desktop.engine import formatting
from desktop.engine.formatting import ImageRow
from desktop.engine.records import Image
from desktop.ui.common.table_model import RecordTableModel


class Column(enum.IntEnum):
    REPOSITORY = 0
    TAG = 1
    ID = 2
    CREATED = 3
    SIZE = 4


class ImagesModel(RecordTableModel[ImageRow]):
    HEADERS = ("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE")

    def key(self, row: ImageRow) -> Hashable:
        return (row.image.id, row.repository, row.tag)

    def texts(self, row: ImageRow, now: float) -> tuple[str, ...]:
        return (row.repository, row.tag, row.id_text, formatting.since(row.created, now), row.size_text)

    def same(self, old: ImageRow, new: ImageRow) -> bool:
        return old.image == new.image and old.repository == new.repository and old.tag == new.tag

    def time_columns(self) -> Sequence[int]:
        return (Column.CREATED,)

    def sort_value(self, row: ImageRow, column: int) -> Any:
        if column == Column.CREATED:
            return row.image.created
        if column == Column.SIZE:
            return row.image.size
        if column == Column.ID:
            return row.image.id
        if column == Column.TAG:
            return row.tag.lower()
        return row.repository.lower()

    def extra_data(self, row: ImageRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.ID:
                return row.image.id
            if column == Column.SIZE:
                return f"{row.image.size:,} bytes"
            if column in (Column.REPOSITORY, Column.TAG) and row.image.repo_digests:
                return "\n".join(row.image.repo_digests)
        return None

    def sync_images(self, images: Iterable[Image]) -> None:
        self.sync(formatting.image_rows(images, time.time()))
