"""tradecover: an open-source trade credit insurance platform."""

__version__ = "0.1.0"
