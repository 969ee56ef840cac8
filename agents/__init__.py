"""Agents of the unit-morale model: soldiers, officers, and the units they form."""

from agents.officer import Officer
from agents.soldier import Soldier
from agents.unit import Unit

__all__ = ["Officer", "Soldier", "Unit"]
