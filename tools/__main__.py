"""`python -m dfc.tools ...`: the `dfc` command line without the console script."""

from .cli import main

main()
