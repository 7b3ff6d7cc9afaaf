"""Capacitated facility location from plain arrays: the farm-siting building block on its own.

:func:`solve_facility_location` solves p-median and fixed-charge location problems with
HiGHS (single-source problems by pricing sites and pairs). Imports nothing of the plan
model, the scenario or the layers: arrays in, arrays out.
"""

from agroplan.location.core import LocationResult, greedy_solution, solve_facility_location

__all__ = ["LocationResult", "greedy_solution", "solve_facility_location"]
