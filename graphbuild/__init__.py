"""graphbuild: clinical-trial records in, an RDF knowledge graph out.

Data flow (one folder or module per stage): readers -> extract -> rdf -> store ->
reason / validate -> queries / serve -> export. See docs/graph-model.md for the graph.
"""

__version__ = "0.1.0"
