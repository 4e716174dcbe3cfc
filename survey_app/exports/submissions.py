"""Submissions as exported: design variables and weights first, then every answer, as codes or as
labels in the reader's language.

Read as columns, a batch of submissions at a time (:func:`batches`): the design columns come from
the read that computes the weights (:class:`~survey_app.exports.design.DesignWeights`), the answers
as text columns from one query per batch of ids (:mod:`survey_app.survey_analysis.columns`:
PostgreSQL's ``COPY`` parsed by Arrow, SQLite's documents decoded by Arrow's JSON reader), and each
column becomes its cells by operations on the whole column (:func:`answer_cells`): a choice's label
is looked up once per distinct code, never once per row. A batch holds at most :data:`BATCH_ROWS`
rows, so a million-row export holds one batch's columns, not every answer as Python objects.

Every answer is read as text; a document written around the platform may hold a number, true or
false, a list or an object instead (the form engine stores text only). Such a value reads as text
that could also be text typed by a respondent (``-5``, ``true``, ``[1, 2]``): where the two would be
exported differently (:func:`_same_either_way`), the few submissions holding such text are read
again as documents, so their cells are exactly what the stored values give.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select

from survey_app.exports.codebook import Variable, codebook
from survey_app.exports.design import DesignWeights, design_weights, questionnaire_for
from survey_app.extensions import db
from survey_app.models import Campaign, Submission
from survey_app.survey_analysis.columns import read_table, submission_columns

#: Rows of the largest batch: its columns, as Arrow text, are a few tens of MB.
BATCH_ROWS = 50_000
#: Rows of the first batch; each next one is twice as large up to :data:`BATCH_ROWS`, so the first
#: rows are written (and their progress reported) soon after the export starts.
FIRST_BATCH = 500
#: Submissions whose documents are read in one query when answers must be read again.
DOCUMENTS_PER_QUERY = 5000
#: Text as PostgreSQL (``jsonb_to_record``) or the SQLite reader gives a stored number, true,
#: false, a list or an object.
STORED_VALUE = r"^(-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|nan|-?inf)$|^[\[{]"
NO_TEXT = pa.scalar(None, pa.string())


@dataclass
class ExportSpec:
    """What to export: a campaign's form, with codes or labels, in ``locale`` (vi or en)."""

    campaign: Campaign
    form_id: str
    locale: str = "vi"
    labels: bool = False


def latest_definition(campaign: Campaign, form_id: str) -> dict:
    """The definition of the form version the campaign uses (else the form's last version)."""
    for link in campaign.questionnaires:
        if link.questionnaire_version.questionnaire.form_id == form_id:
            return link.questionnaire_version.definition
    return questionnaire_for(form_id).versions[-1].definition


def missing_codes(campaign: Campaign) -> set[str]:
    """The framework's don't-know/refusal codes (``missing_codes``, 9 by default) as choice codes."""
    settings = ((campaign.framework.settings or {}) if campaign.framework else {}).get("satisfaction") or {}
    return {str(int(c)) if float(c).is_integer() else str(c) for c in settings.get("missing_codes", [9])}


def variables(spec: ExportSpec) -> list[Variable]:
    return codebook(latest_definition(spec.campaign, spec.form_id), spec.locale, missing_codes(spec.campaign))


#: Mode of collection of each channel: an enumerator's interview, or a self-completed web form.
FACE_TO_FACE_CHANNELS = {"enumerator", "door_to_door"}


def mode_of(channel: str) -> str:
    """``face_to_face`` for an interviewer's channel, ``web`` for a self-completed one."""
    return "face_to_face" if channel in FACE_TO_FACE_CHANNELS else "web"


@dataclass
class Batch:
    """Consecutive submissions as exported: one column of cells per variable. A column is Arrow
    text (null for an empty cell), Arrow numbers (the probabilities, weights and ``analysed``),
    or, where a document stores a number or true/false as such, the column's cells as Python
    values (an object array), so a writer keeps them numbers as it did."""

    columns: list
    rows: int


def batches(spec: ExportSpec, columns: list[Variable] | None = None, weights: DesignWeights | None = None,
            stored_types: bool = False):
    """The export's rows in batches (:class:`Batch`), in ``Submission.id`` order, with the
    cells of ``columns`` (default: codebook) and ``weights`` (default: :func:`design_weights`,
    computed here). ``stored_types``: every answer that may be stored as a number or true/false
    is checked against its document, for a writer that writes numbers as numbers (XLSX); else
    only the ones whose text would be exported differently."""
    columns = columns if columns is not None else variables(spec)
    weights = weights if weights is not None else design_weights(spec.campaign, spec.form_id)
    keys = list(dict.fromkeys(v.name for v in columns if v.kind != "design"))
    connection = db.session.connection()
    query = submission_columns(spec.campaign.id, questionnaire_for(spec.form_id).id, {"id": Submission.id}, keys,
                               connection.dialect.name)
    ids = weights.ids
    pa.default_memory_pool().release_unused()  # what reading every submission's design left in the pool
    for start, end in spans(len(ids)):
        batch_query = query.where(Submission.id.between(int(ids[start]), int(ids[end - 1])))
        yield _batch(connection, batch_query, keys, columns, weights, spec.labels, stored_types)


def _batch(connection, query, keys: list[str], columns: list[Variable], weights: DesignWeights, labels: bool,
           stored_types: bool) -> Batch:
    """One batch (:func:`batches`): the answers ``query`` reads, with the design of their rows."""
    table, positions = _aligned(read_table(connection, query, keys).combine_chunks(), weights.ids)
    design = design_cells(weights.submissions.take(pa.array(positions)).combine_chunks(), weights, positions)
    texts = {k: pc.dictionary_encode(_array(table.column(f"a{i}"))) for i, k in enumerate(keys)}
    stored = _stored_values(table, texts, stored_types)
    return Batch([design[v.name] if v.kind == "design" else answer_cells(v, texts[v.name], labels, stored.get(v.name))
                  for v in columns], table.num_rows)


def spans(count: int):
    """(start, end) positions of the batches of ``count`` rows: :data:`FIRST_BATCH` rows, then
    twice as many each time, up to :data:`BATCH_ROWS`."""
    start, size = 0, FIRST_BATCH
    while start < count:
        yield start, min(count, start + size)
        start, size = start + size, min(2 * size, BATCH_ROWS)


def _array(column) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _aligned(table: pa.Table, ids: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """The rows of ``table`` whose id is in ``ids`` (a submission stored since the weights were
    computed has none), and their positions in ``ids``."""
    found = pc.cast(table.column("id"), pa.int64()).to_numpy()
    positions = np.searchsorted(ids, found)
    known = (positions < len(ids)) & (ids[np.minimum(positions, len(ids) - 1)] == found)
    if not known.all():
        table, positions = table.filter(pa.array(known)), positions[known]
    return table, positions


def _given(column) -> pa.Array:
    """True where ``column`` holds a non-empty text."""
    return pc.fill_null(pc.not_equal(column, ""), False)


def _numbers(values: np.ndarray) -> pa.Array:
    """Floats with NaN as missing (null)."""
    return pa.array(values, pa.float64(), from_pandas=True)


def design_cells(table: pa.Table, weights: DesignWeights, positions: np.ndarray) -> dict[str, pa.Array]:
    """The design variables of a batch: ``table`` holds its rows of ``weights.submissions``, and
    ``positions`` their positions there. The staff design's stratum is the unit and its PSU the
    respondent; otherwise the case's stratum, and its cluster as PSU (the submission itself in a
    stratum without clusters)."""
    uuid, unit, channel = (_array(table.column(n)) for n in ("instance_uuid", "unit_code", "channel"))
    if weights.design == "staff":
        stratum, cluster = unit, uuid
    else:
        stratum, cluster = _array(table.column("stratum")), _array(table.column("cluster"))
    modes = pc.dictionary_encode(channel)
    return {"instance_uuid": uuid, "unit_code": unit, "review_state": _array(table.column("review_state")),
            "channel": channel, "stratum": stratum,
            "mode": pa.array([mode_of(c) for c in modes.dictionary.to_pylist()], pa.string()).take(modes.indices),
            "psu": pc.if_else(_given(cluster), cluster, pc.if_else(_given(stratum), uuid, NO_TEXT)),
            "selection_probability": pc.cast(_array(table.column("selection_probability")), pa.float64()),
            "base_weight": _numbers(weights.base_weight[positions]), "weight": _numbers(weights.weight[positions]),
            "analysed": pa.array(weights.analysed[positions].astype(np.int64))}


def _same_either_way(text: str) -> bool:
    """Whether ``text`` is exported the same whether a document stores it as text or stores the
    number it spells: a positive number printed by Python as it is written here (``45``,
    ``2.5``, but not ``2.50`` or ``1E3``); never a negative one (text is neutralised, a number is
    not), true, false, a list or an object."""
    if text.startswith(("-", "[", "{")) or text in ("true", "false", "nan", "inf"):
        return False
    try:
        return str(json.loads(text)) == text
    except ValueError:
        return True


def _doubtful(codes: pa.DictionaryArray, stored_types: bool) -> np.ndarray | None:
    """Where an answer column (its distinct texts, :func:`batches`) may hold a stored non-text
    value exported otherwise than its text (every text that may be one with ``stored_types``);
    None when nowhere. The text is tested once per distinct value."""
    found = pc.fill_null(pc.match_substring_regex(codes.dictionary, STORED_VALUE), False)
    if not pc.any(found).as_py():
        return None
    texts = codes.dictionary.filter(found).to_pylist()
    unsure = texts if stored_types else [t for t in texts if not _same_either_way(t)]
    if not unsure:
        return None
    entries = pc.is_in(codes.dictionary, pa.array(unsure, pa.string())).to_numpy(zero_copy_only=False)
    indices = pc.fill_null(codes.indices, -1).to_numpy()
    return (indices >= 0) & entries[np.maximum(indices, 0)]


def _stored_values(table: pa.Table, texts: dict[str, pa.DictionaryArray], stored_types: bool) -> dict[str, dict]:
    """Answer key → {row position: stored value} for the answers stored as numbers, true/false,
    lists or objects, read from the documents of the rows whose text may be one (:func:`_doubtful`)."""
    doubtful = {k: found for k, text in texts.items() if (found := _doubtful(text, stored_types)) is not None}
    if not doubtful:
        return {}
    ids = pc.cast(table.column("id"), pa.int64()).to_numpy()
    rows = np.flatnonzero(np.logical_or.reduce(list(doubtful.values())))
    wanted = ids[rows].tolist()
    position = dict(zip(wanted, rows.tolist()))
    out: dict[str, dict] = {}
    for start in range(0, len(wanted), DOCUMENTS_PER_QUERY):
        chunk = wanted[start:start + DOCUMENTS_PER_QUERY]
        for id_, answers in db.session.execute(select(Submission.id, Submission.answers)
                                               .where(Submission.id.in_(chunk))):
            for key, value in answers.items():  # a document from the platform holds text only
                if value is not None and not isinstance(value, str) and key in doubtful \
                        and doubtful[key][position[id_]]:
                    out.setdefault(key, {})[position[id_]] = value
    return out


def _as_text(value) -> str:
    """A stored value that is not text, as the export writes it: a list's items joined by spaces
    (a multiple choice's codes, as the form engine stores them), anything else as Python prints it."""
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def _without_empty(codes: pa.DictionaryArray) -> pa.DictionaryArray:
    """The column with its empty texts as missing (null)."""
    empty = pc.index(codes.dictionary, "").as_py()
    if empty < 0:
        return codes
    indices = pc.if_else(pc.equal(codes.indices, empty), pa.scalar(None, codes.indices.type), codes.indices)
    return pa.DictionaryArray.from_arrays(indices, codes.dictionary)


def answer_cells(variable: Variable, codes: pa.DictionaryArray, labels: bool, stored: dict | None = None):
    """An answer column as exported. ``codes``: the answers as read (null where missing), as a
    dictionary of their distinct texts; an empty answer is missing. ``stored``: {position: value}
    of the answers stored as numbers, true/false, lists or objects (:func:`_as_text`). With
    ``labels``, a choice question's codes become their labels (the type's ``export_label``, once
    per distinct code). Arrow text encoded as a dictionary of the distinct cells, or an object
    array where a stored number or true/false stays one (no label for it)."""
    if stored:
        values = [None if v == "" else v for v in codes.to_pylist()]
        for position, value in stored.items():
            values[position] = _as_text(value)
        codes = pc.dictionary_encode(pa.array(values, pa.string()))
    else:
        codes = _without_empty(codes)
    if labels and variable.choices:
        names = [variable.handler.export_label(code, variable.choices) for code in codes.dictionary.to_pylist()]
        return pa.DictionaryArray.from_arrays(codes.indices, pa.array(names, pa.string()))
    kept = {p: v for p, v in (stored or {}).items() if not isinstance(v, (list, dict))}
    if not kept:
        return codes
    cells = np.array(codes.to_pylist(), dtype=object)
    for position, value in kept.items():
        cells[position] = value
    return cells


def python_values(cells) -> tuple[np.ndarray, np.ndarray | None]:
    """A column of cells as Python values (None where empty): ``(values, where)``, the cells
    being ``values[where]``, or ``values`` itself when ``where`` is None. A dictionary's distinct
    values become Python objects once, not once per row."""
    if isinstance(cells, np.ndarray):
        return cells, None
    if pa.types.is_dictionary(cells.type):
        values = np.empty(len(cells.dictionary) + 1, dtype=object)  # the last one: None, for a null
        values[:-1] = cells.dictionary.to_pylist()
        return values, pc.fill_null(cells.indices, -1).to_numpy()
    return np.array(cells.to_pylist(), dtype=object), None


#: Rows turned into Python values at a time by :func:`rows`.
ROWS_AT_A_TIME = 2000


def rows(spec: ExportSpec, columns: list[Variable] | None = None, weights: DesignWeights | None = None):
    """One list of cells per submission, for a writer that takes rows (XLSX): the cells of
    :func:`batches`, with numbers stored as numbers kept so."""
    for batch in batches(spec, columns, weights, stored_types=True):
        values = [python_values(c) for c in batch.columns]
        for start in range(0, batch.rows, ROWS_AT_A_TIME):
            end = start + ROWS_AT_A_TIME
            part = [(v[start:end] if where is None else v[where[start:end]]).tolist() for v, where in values]
            yield from map(list, zip(*part))


def header(columns: list[Variable]) -> list[str]:
    return [v.name for v in columns]
