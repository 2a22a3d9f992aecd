"""Tools beside the adapter: the golden-example regenerator and the synthetic-message builder.

They sit above the layers (the regenerator runs the service pipeline), so no layer imports them;
tests, benchmarks and the CLI's ``--examples`` do.
"""
