"""``python -m agroplan`` runs the command line."""

from agroplan.cli import main

main()
