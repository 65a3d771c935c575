"""Translation of the engine layer's messages, without Qt.

The engine's sentences (errors, the checks of what a user types) are written in English
and passed through :func:`translate`, which ``pyside6-lupdate`` finds as it finds
``QCoreApplication.translate`` (``i18n.translate("Context", "text")``). The window
installs Qt's translation at start-up (:func:`install`); without it (the engine alone,
its tests) the English text is returned, ``%n`` replaced by the number.

Arguments go in after translation, by name: ``i18n.translate("Parsing", "The tag {tag}
is not valid.").format(tag=tag)`` — a translator moves ``{tag}`` where the sentence
needs it.
"""

from __future__ import annotations

from collections.abc import Callable

#: ``(context, source text, disambiguation, n) -> text``, as QCoreApplication.translate
Translator = Callable[[str, str, "str | None", int], str]


def _english(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """The source text; with ``n``, ``%n`` filled and "(s)" made plural or not."""
    if n < 0:
        return text
    return text.replace("%n", str(n)).replace("(s)", "" if n == 1 else "s")


_translator: Translator = _english


def install(translator: Translator | None) -> None:
    """Translate through ``translator`` from now on (None: English again)."""
    global _translator  # noqa: PLW0603 - the one hook, set once at start-up
    _translator = translator or _english


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``text`` in the user's language; ``n`` >= 0 picks the plural form and fills ``%n``."""
    return _translator(context, text, disambiguation, n)
