"""The canonical-result rules (TG201-TG205) and what they share.

- ``connectors``: which classes are connectors and which of their methods form the interface
  whose returns must be canonical results (DESIGN: connector-bases, connector-paths with an order
  method, `*Connector`, connector-methods).
- ``flow``: following a returned value to what builds it, on `ast` (for the project index) and on
  LibCST (for the rules), one walk over one scan.
- ``helpers``: which calls return canonical results (the runtime, the project's own helpers across
  files) and which return connector results (order and interface methods, the gateway).
- ``returns``: the returns of one connector class's interface methods, followed, and whether a
  method can end without a return; what each return holds, as TG201-TG204 judge it.
- ``fixes``: rewriting a returned result literal in its own layout.
- ``tg201_*`` ... ``tg205_*``: each rule's judgement, message, docs and examples.
"""
