"""Creating, opening and reading studies."""
