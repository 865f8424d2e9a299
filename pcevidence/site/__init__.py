"""What builds and checks the site (not imported by chapters): the strict build, the Sphinx extension, the
style purge, the PDF, the pre-flight check, the chapter scaffold, releases, the bibliography, validation and
the benchmark. Run each with ``python -m pcevidence.site.<name>`` (the Makefile does)."""
