"""What builds and checks the site (not imported by chapters): the strict build, the Sphinx extensions (pages,
build log and kernel, reproducible output), the style purge, the PDF, the pre-flight check, the chapter
scaffold, releases, the bibliography, validation, the benchmark (with a Lighthouse audit of every page) and the
pinned requirement sets. Run each tool with ``python -m pcevidence.site.<name>`` (the Makefile does)."""
