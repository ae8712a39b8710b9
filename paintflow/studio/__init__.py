"""paintflow studio: a local web application on top of the workflow (Django, served by waitress).

Every render made here is a work folder with its own config.yaml (validated by the same schema),
runnable from a terminal with `snakemake --configfile …` or `paintflow resume`; a config made by hand
can be opened here. Renders run as Snakemake processes in their own process group, independent of the
web server: the studio can be stopped and started at any time. What a render has done is read from its
results folder (the same files `paintflow status` reads); the database only lists the renders and the
queue.
"""
