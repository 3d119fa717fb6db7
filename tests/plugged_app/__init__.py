"""A workflow app written the way docs/architecture.md says (« Adding an app »), installed by
tests/registrar/test_adding_an_app.py: it plugs in without any change to registrar."""
