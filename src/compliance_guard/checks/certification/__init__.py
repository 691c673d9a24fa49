"""Certificate and filing numbers: the grammar, checks over numbers, category requirements."""
