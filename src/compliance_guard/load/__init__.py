"""Files -> model objects, with one-line ``file:line`` errors: YAML, documents, config, profiles."""
