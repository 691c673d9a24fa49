"""Scorers: script quality (``script``), content mix (``mix``) and campaign parameters
(``campaign``), driven by YAML profiles (``profiles``) and lexicons (``lexicon``)."""
