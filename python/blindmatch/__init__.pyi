"""Type stubs for blindmatch: hash member lists into keyed tokens, merge hashed files."""

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Optional, Union

__version__: str

StrPath = Union[str, "os.PathLike[str]"]
Columns = Mapping[str, Union[str, Sequence[Union[str, Sequence[str]]]]]

class Error(Exception):
    """A blindmatch error: a bad key file, label, column choice or input file.

    The message is the command's: it names files, rows and columns, never a value.
    """

class Key:
    """A consortium key, from ``load_key``. Its bytes stay in Rust; ``repr`` shows the
    fingerprint only."""

    @property
    def fingerprint(self) -> str:
        """The public fingerprint (``xxxx-xxxx-xxxx-xxxx``): compare it with the other orgs'."""

def load_key(path: StrPath) -> Key:
    """Loads a consortium key file (``blindmatch keygen``).

    Raises ``Error`` if the file is not a key file, or if group or others can read it.
    """

def hash_rows(
    rows: Iterable[Mapping[str, Any]],
    key: Union[Key, StrPath],
    org: str,
    *,
    round: Optional[str] = None,
    kind: Literal["members", "voters", "suppression"] = "members",
    columns: Optional[Columns] = None,
    keep: Optional[Union[str, Sequence[str]]] = None,
) -> list[dict[str, str]]:
    """Hashes rows held in memory, as ``blindmatch hash`` hashes a file.

    ``rows`` is any iterable of dicts: a Parsons ``Table``, ``df.to_dict("records")``, a
    ``csv.DictReader``. The first row's keys are the header; columns are detected from it as
    ``hash`` detects them from a CSV header (VAN, ActionKit, ActionNetwork, ... names).
    ``columns`` overrides, by role (``email``, ``phone``, ``first``, ``middle``, ``last``,
    ``zip``, ``address``, ``city``, ``dob``): ``{"email": "E-mail"}``; a list of columns is
    joined with a space (``{"address": ["house_num", "street_name"]}``). Several emails or
    phones, one value each: a list of emails (``{"email": ["email", "work_email"]}``; an email
    is never joined), a list of phone sources with at least one list in it (``{"phone":
    [["area_cd", "phone_num"], "cell"]}``, ``{"phone": [["cell"], ["home"]]}``); a plain list of
    phone columns is one number in parts, and is refused when its first column holds whole
    numbers.

    A cell is what the CSV would hold: a string as is; ``None``, NaN, ``pandas.NA`` and a
    missing key are empty; other values as ``str()`` gives them (pass zip codes as strings,
    or their leading zeros are lost). A key the first row lacks is an error.

    Returns the rows ``hash`` writes for the same rows, in the same (content) order, as dicts
    of ``email``, ``phone``, ``name_zip``, ``name_addr``, ``name_yob_zip`` (then any ``keep``
    columns) to the token, ``""`` where a kind could not be formed: what ``csv.DictReader``
    reads from the hashed file. The GIL is released while hashing.

    ``round``: the matching round; tokens of different rounds never match. ``kind``: what
    the list is. ``keep``: voter files only, geography columns copied in clear.
    """

def hash_file(
    input: Union[StrPath, Iterable[Mapping[str, Any]]],
    output: StrPath,
    key: Union[Key, StrPath],
    org: str,
    *,
    round: Optional[str] = None,
    kind: Literal["members", "voters", "suppression"] = "members",
    columns: Optional[Columns] = None,
    keep: Optional[Union[str, Sequence[str]]] = None,
    force: bool = False,
) -> dict[str, Any]:
    """Hashes an export file (CSV, TSV, .xlsx, .ods), or rows held in memory as
    ``hash_rows`` takes them (a Parsons ``Table``: no plaintext file on disk), into a hashed
    file, as ``blindmatch hash`` does: the file ``merge`` reads, with its metadata lines. The
    options are ``hash_rows``'; ``force`` replaces ``output``.

    Returns the counts: ``rows``, per kind ``tokens``/``invalid``/``missing``,
    ``rows_without_token``, ``ragged_rows``, ``undecodable_rows``, ``key_fingerprint``,
    ``round``.
    """

def merge(
    org_files: Sequence[StrPath],
    output_dir: StrPath,
    *,
    voters: Optional[StrPath] = None,
    suppress: Sequence[StrPath] = (),
    assign: Optional[str] = None,
    match: Literal["fuzzy", "exact"] = "fuzzy",
    force: bool = False,
) -> dict[str, Any]:
    """Merges the orgs' hashed files (and a hashed voter file) into ``output_dir``, as
    ``blindmatch merge`` does, and returns the summary (``read_summary(output_dir)``).

    ``suppress``: hashed suppression files (nobody contacts these people). ``assign``: one
    messenger org per person: ``"priority:ORG1,ORG2"``, ``"balanced"``, ``"random[:SEED]"``.
    ``match``: ``"fuzzy"`` (the default) scores composite tokens of token spec v2 to link
    records into people and match them to voters (typos, nicknames, swapped names);
    ``"exact"`` runs the v1 passes (equal email, phone or name tokens). ``force`` replaces
    ``output_dir``.
    """

def read_summary(dir: StrPath) -> dict[str, Any]:
    """The ``summary.json`` of a merge's output directory (or the file itself), as a dict.

    Exact counts: for the coordinator only; ``blindmatch report`` makes the shareable one.
    """
