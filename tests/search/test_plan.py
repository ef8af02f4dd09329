"""The query plan: which clauses a query becomes, what its hits are marked by, what the clauses do."""

from __future__ import annotations

from dataclasses import astuple, replace

import numpy as np

from analyzers import fold, normalize_syllable
from search.documents import query_terms
from search.engine import searching
from search.marks import highlight_terms
from search.plan import (
    COMMON, W_ACCENTED, W_FOLDED, W_RUN, AnyOf, Bonus, Exclude, Plan, Require, Scored, plan_query,
)
from search.rank import record_scores
from search.syntax import parse


def plan_of(index_dir, query: str, exact: bool = False) -> Plan:
    with searching(index_dir) as opened:
        return plan_query(parse(query), opened.reader, exact)


def scored(plan: Plan, field: str) -> tuple[str, ...]:
    """Every scored term of ``field``, in plan order."""
    return tuple(t for c in plan.clauses if isinstance(c, Scored) and c.field == field for t in c.terms)


def of(plan: Plan, kind: type) -> list:
    return [c for c in plan.clauses if isinstance(c, kind)]


def test_a_query_with_diacritics_is_scored_folded_accented_paired_as_words_and_in_titles(index_dir):
    plan = plan_of(index_dir, "Tỉnh ủy Thái Nguyên")
    assert {c.field for c in of(plan, Scored)} == {"fsyl", "syl", "fpair", "word", "title"}
    assert scored(plan, "fpair") == ("tinh_uy", "uy_thai", "thai_nguyen")
    assert "thái_nguyên" in scored(plan, "word")
    assert scored(plan, "title") == scored(plan, "fsyl")
    assert [fold(t) for t in scored(plan, "syl")] == list(scored(plan, "fsyl"))  # same syllables, accented
    assert {c.weight for c in of(plan, Scored) if c.field in ("fsyl", "syl")} == {W_FOLDED, W_ACCENTED}
    assert not of(plan, Require) and not of(plan, Exclude) and not of(plan, AnyOf) and not of(plan, Bonus)


def test_a_query_without_diacritics_has_neither_accented_syllables_nor_words(index_dir):
    plan = plan_of(index_dir, "tinh uy thai nguyen")
    assert {c.field for c in of(plan, Scored)} == {"fsyl", "fpair", "title"}
    assert len([c for c in of(plan, Scored) if c.field == "fsyl"]) == 1  # one clause, not one per syllable


def test_common_syllables_are_scored_only_through_their_pairs_but_still_marked(index_dir):
    plan = plan_of(index_dir, "kết nạp đảng viên")
    with searching(index_dir) as opened:
        limit = COMMON * opened.reader.live_count()
        rare = tuple(s for s in ("ket", "nap", "dang", "vien") if opened.reader.doc_frequency("fsyl", s) <= limit)
    assert rare and len(rare) < 4  # the test index has both kinds here
    assert scored(plan, "fsyl") == rare
    assert scored(plan, "fpair") == ("ket_nap", "nap_dang", "dang_vien")
    assert highlight_terms(plan).accented == {"kết", "nạp", "đảng", "viên"}


def test_question_words_are_in_no_clause_and_not_marked(index_dir):
    plan = plan_of(index_dir, "đảng viên có bao nhiêu")
    everywhere = {t for c in plan.clauses for t in c.terms}
    assert not {"bao", "nhieu", "bao_nhieu", "co_bao", "nhiêu", "bao_nhiêu"} & everywhere
    assert "dang_vien" in everywhere
    marks = highlight_terms(plan)
    assert not {"bao", "nhiêu"} & (marks.accented | marks.folded)


def test_a_code_typed_with_punctuation_is_a_phrase_bonus(index_dir):
    plan = plan_of(index_dir, "35-CT/TW")
    assert of(plan, Bonus) == [Bonus("fsyl", ("35", "ct", "tw"), W_RUN)]
    assert not scored(plan, "fpair")  # punctuation between them: no pairs


def test_phrases_exclusions_and_title_filters_are_filter_clauses(index_dir):
    plan = plan_of(index_dir, '"kết nạp đảng viên" -xã title:"dáng người"')
    assert of(plan, Require) == [Require("fsyl", ("ket", "nap", "dang", "vien")), Require("title", ("dang", "nguoi"))]
    assert of(plan, Exclude) == [Exclude("fsyl", ("xa",))]
    marks = highlight_terms(plan)
    assert {"kết", "nạp", "đảng", "viên"} <= marks.accented and "ket_nap" in marks.pairs
    assert not {"xã", "xa", "dáng", "người", "nguoi"} & (marks.accented | marks.folded)  # filters are not marked


def test_exact_mode_scores_accented_syllables_behind_a_gate(index_dir):
    plan = plan_of(index_dir, '"kết nạp" đảng ủy -xã', exact=True)
    assert not scored(plan, "fsyl") and not scored(plan, "title")
    gate = of(plan, AnyOf)
    assert len(gate) == 1 and gate[0].field == "syl" and set(gate[0].terms) == set(scored(plan, "syl"))
    assert {c.weight for c in of(plan, Scored) if c.field == "syl"} == {W_FOLDED + W_ACCENTED}
    assert of(plan, Require) == [Require("fsyl", ("ket", "nap"), ("kết", "nạp"))]
    assert of(plan, Exclude) == [Exclude("fsyl", ("xa",), ("xã",))]


def test_a_typo_is_planned_and_marked_as_its_correction(index_dir):
    plan = plan_of(index_dir, "tinh uy thai nguyem")
    assert plan.corrections == {"nguyem": "nguyen"}
    assert "nguyen" in scored(plan, "fsyl") and "thai_nguyen" in scored(plan, "fpair")
    marks = highlight_terms(plan)
    assert "nguyen" in marks.folded and "nguyem" not in marks.folded


def test_clauses_are_plain_data(index_dir):
    plan = plan_of(index_dir, '"kết nạp" đảng ủy 35-CT/TW -xã title:khoá', exact=True)
    for clause in plan.clauses:
        for value in astuple(clause):
            assert isinstance(value, (str, float)) or (isinstance(value, tuple) and all(isinstance(t, str) for t in value))


def test_marks_are_derived_from_the_plan(index_dir):
    plan = plan_of(index_dir, 'tỉnh ủy "thái nguyên"')
    assert highlight_terms(plan) == query_terms('tỉnh ủy "thái nguyên"', index_dir)
    without_pairs = replace(plan, clauses=[c for c in plan.clauses if not (isinstance(c, Scored) and c.field == "fpair")])
    assert highlight_terms(without_pairs).pairs == {"thai_nguyen"}  # only the quoted phrase's own pair is left
    assert "tinh_uy" in highlight_terms(plan).pairs


def test_rank_applies_each_clause_kind(index_dir):
    with searching(index_dir) as opened:
        reader, arrays = opened.reader, opened.arrays
        base = [Scored("fsyl", ("vien",), 1.0)]
        plain = record_scores(reader, arrays, base)
        kept = record_scores(reader, arrays, base + [Require("fsyl", ("ket", "nap"))])
        dropped = record_scores(reader, arrays, base + [Exclude("fsyl", ("ket", "nap"))])
        texts = {int(d): _text(reader, int(d)) for d in np.flatnonzero(plain > 0)}
    joined = {d for d, text in texts.items() if "ket nap" in text}
    assert joined and len(joined) < len(texts)
    assert set(np.flatnonzero(kept > 0)) == joined
    assert set(np.flatnonzero(dropped > 0)) == set(texts) - joined
    assert all(kept[d] == np.float32(plain[d] + 1.0) for d in joined)  # one point for matching the filters


def _text(reader, docnum: int) -> str:
    text = reader.passage(docnum).text
    return " ".join(fold(normalize_syllable(w)) for w in text.replace(",", " ").split())
