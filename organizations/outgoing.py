"""The way to the outbox for the apps below notifications (organizations, directory).

The outbox (``notifications.outbox``) sits above these apps, so they cannot call it. They
write their messages here instead and register here the function that delivers each
kind; the notifications app plugs its writer in when it loads (its AppConfig.ready) and
reads these handlers alongside the ones registered with it directly.
"""

from collections.abc import Callable
from typing import Any

# (organization=..., **args) -> None: delivers one message, inside the organisation.
Handler = Callable[..., None]
Writer = Callable[..., None]

_HANDLERS: dict[str, Handler] = {}
_writer: Writer | None = None


def register_handler(kind: str, handler: Handler) -> None:
    if _HANDLERS.get(kind, handler) is not handler:
        raise ValueError(f"Outbox kind {kind!r} is registered twice, differently.")
    _HANDLERS[kind] = handler


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def register_writer(writer: Writer) -> None:
    global _writer
    _writer = writer


def message_add(*, organization, kind: str, key: str, args: dict[str, Any]) -> None:
    """Write a message to the outbox in the caller's transaction (see
    ``notifications.outbox.outbox_add``)."""
    if _writer is None:
        raise RuntimeError("No outbox is installed: the notifications app has not loaded.")
    _writer(organization=organization, kind=kind, key=key, args=args)
