"""Structured logging set-up (JSON in production, readable in the demo)."""

from __future__ import annotations

import logging
import sys

import structlog

_configured = False


def configure_logging(json: bool = False, level: int = logging.INFO) -> None:
    """Configure structlog once per process."""
    global _configured
    if _configured:
        return
    _configured = True
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level)
    renderer: structlog.typing.Processor = (structlog.processors.JSONRenderer() if json
                                            else structlog.dev.ConsoleRenderer(colors=False))
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso", utc=True),
                    structlog.processors.StackInfoRenderer(), structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
