"""blindmatch from Python: hash member lists into keyed tokens, merge hashed files.

The same library as the ``blindmatch`` command (installed by the same wheel), without a
plaintext file on disk: ``hash_rows`` takes any iterable of dicts (a Parsons ``Table``,
``df.to_dict("records")``, a ``csv.DictReader``) and returns exactly the rows ``hash`` writes.

    import blindmatch
    key = blindmatch.load_key("consortium.key")
    tokens = blindmatch.hash_rows(rows, key, org="union-local-1")

Errors are ``blindmatch.Error`` with the command's messages, which name files, rows and
columns, never a value.
"""

from ._native import (
    Error,
    Key,
    __version__,
    hash_file,
    hash_rows,
    load_key,
    merge,
    read_summary,
)

__all__ = [
    "Error",
    "Key",
    "__version__",
    "hash_file",
    "hash_rows",
    "load_key",
    "merge",
    "read_summary",
]
