"""The sample corpus shipped with vnsearch: five Vietnamese news articles (UTF-8 text).

A package only so that ``importlib.resources`` finds these files from a source checkout, an
editable install and a regular install alike (see ``indexer.default.corpus_dir``).
"""
