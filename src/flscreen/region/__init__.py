"""flscreen.region: tell whether a party or facility is in Xinjiang, with the evidence.

``locate(LocateQuery(...)) -> Location`` reads the address (Chinese or English
order, any script), the USCC, postal code, phone number, company name and country
of one record, and combines them into one answer that lists every signal.
"""

from flscreen.region.locate import ALGORITHM, LocateQuery, locate

__all__ = ["ALGORITHM", "LocateQuery", "locate"]
