"""Serve the feed app over a FileFeedSource: `python -m tests.feeds.serve_fake TOKENS.json PORT`.

Used by the real-server tests and the feed benchmark. Access lines go to stderr at INFO, so the
tests can check that no token is ever printed.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from scheduler.feeds.app import make_app
from scheduler.feeds.serve import serve
from tests.feeds.fake_source import FileFeedSource


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tokens", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("--header-timeout", type=float, default=10.0)
    parser.add_argument("--quiet", action="store_true", help="no access lines")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(levelname)s %(message)s")
    serve(make_app(FileFeedSource(args.tokens)), host="127.0.0.1", port=args.port, header_timeout=args.header_timeout)


if __name__ == "__main__":
    main()
