"""Read real exports as a stream of Emails: CSV/TSV, JSONL/JSON, Parquet, mbox, .eml.

Every input message gives exactly one :class:`~rejectlens.ingest.Email`, in
input order; one that cannot be read carries ``error`` instead of being
dropped. Problems with the input as a whole (missing file, unknown type,
missing body column, a column read twice) raise :class:`~rejectlens.errors.InputError` before
the first message. Files ending in ``.gz`` are decompressed on the fly; one
that ends early (a cut download) keeps the messages read before the cut and
adds an error row where it ends.

Memory is bounded per message, not by the largest message: no reader holds
more than ``max_message_bytes`` (default 25 MB) of one message. A longer
message keeps its readable start and is marked ``truncated``.

>>> from rejectlens.readers import read_messages
>>> [e.id for e in read_messages("data/examples/inbox.csv", body="text", id="message_id")][:2]
['ex-01', 'ex-02']

Layout: :mod:`.dispatch` picks the reader from the path; :mod:`.tables`
(CSV/TSV, Parquet), :mod:`.jsonl` (JSON lines, JSON arrays) and :mod:`.mail`
(mbox, .eml) cut a stream into messages; :mod:`.message` turns one message
into its Email (records through :func:`rejectlens.ingest.record_to_email`);
:mod:`.streams` opens files, ``.gz`` and stdin with the size caps.
"""

from ..ingest import Columns
from .dispatch import FORMATS, detect_format, is_mail_format, read_messages
from .message import RawMessage, as_email, close_json
from .streams import DEFAULT_MAX_MESSAGE_BYTES, stream_error
from .tables import csv_rows, excel_separator, separator_of

__all__ = [
    "DEFAULT_MAX_MESSAGE_BYTES",
    "FORMATS",
    "Columns",
    "RawMessage",
    "as_email",
    "close_json",
    "csv_rows",
    "detect_format",
    "excel_separator",
    "is_mail_format",
    "read_messages",
    "separator_of",
    "stream_error",
]
