"""The Videos API contract the tests validate against: the project's own copy of the structure of
OpenAI's published spec (``videos-openapi.yaml``), and how that copy is derived from a reference."""
