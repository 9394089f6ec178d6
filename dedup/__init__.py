"""dedup: find the articles that are copies of one another, keep one, show what each copy changed."""

__version__ = "0.1.0"
