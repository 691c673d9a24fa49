"""Text algorithms: normalisation with an offset map, line index, jieba edges, lazy regexes."""
