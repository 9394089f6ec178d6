"""A persistent, incremental index: articles added batch by batch, each checked against all seen before.

    from dedup.index import Index

    with Index.open("news.db") as index:
        change = index.add("today/")        # what changed, as events
        answer = index.query(text)          # is this a copy, of what?

One SQLite file (``schema``); the documents' arrays kept per addition
(``segments``); cluster ids kept across additions (``ids``); the change log
(``events``); queries (``search``); and the index itself (``index``).
"""

from dedup.index.index import Change, Index
from dedup.index.schema import IndexBusy, IndexFileError
from dedup.index.search import QUERY_ID

__all__ = ["QUERY_ID", "Change", "Index", "IndexBusy", "IndexFileError"]
