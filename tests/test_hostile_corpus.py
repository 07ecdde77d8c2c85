"""Every entry of the hostile-input corpus (tests/hostile_corpus.py) through the real
command line: the exit code and the finding codes it must give, no traceback, and
output that is only printable text."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from tests import hostile_corpus as corpus
from wizard.cli import main


@pytest.fixture(scope="module")
def listing(tmp_path_factory):
    index = corpus.write(tmp_path_factory.mktemp("hostile"))
    return {entry["name"]: entry for entry in json.loads(index.read_text())}


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", [case.name for case in corpus.CASES])
def test_each_hostile_input_gets_its_answer(listing, name):
    entry = listing[name]
    code, out, err = run([*entry["argv"], "--json"])
    assert "Traceback" not in err and "internal error" not in err, err
    found = {finding["code"] for finding in json.loads(out)["findings"]}
    assert set(entry["codes"]) <= found, (name, found)
    assert not set(entry["absent"]) & found, (name, found)
    assert code == entry["exit"], (name, code, found)
    # the same as a person reads it: the same exit, nothing a terminal would act on
    human_code, human_out, human_err = run(entry["argv"])
    assert human_code == code
    assert all(c.isprintable() or c == "\n" for c in human_out + human_err)


def test_the_corpus_covers_every_class_of_the_issue():
    classes = {case.klass for case in corpus.CASES}
    assert len(corpus.CASES) >= 20 and len(classes) >= 12
    assert all(case.klass for case in corpus.CASES)
