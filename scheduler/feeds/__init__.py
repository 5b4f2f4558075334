"""Calendar subscription feeds: the ASGI app here; the uvicorn runner is `scheduler.feeds.serve.serve`.

`serve` is not re-exported so that importing the app (e.g. from a FeedSource implementation)
does not import uvicorn.
"""

from scheduler.feeds.app import FeedSource, RenderedFeed, make_app

__all__ = ["FeedSource", "RenderedFeed", "make_app"]
