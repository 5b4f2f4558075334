"""Reading and writing files at the edges: scenario YAML, roster tables, atomic writes."""
