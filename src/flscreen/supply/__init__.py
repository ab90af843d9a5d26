"""Supply-chain packages: read, validate, store and annotate importers' records.

``load_package(path)`` reads a CSV folder, XLSX workbook or JSON file and
raises ``InvalidInput`` listing every problem; ``supply.store.save_package``
writes a validated package; ``supply.annotate`` links parties and facilities
to list entries and places.
"""

from flscreen.supply.loader import load_package, package_from_dict

__all__ = ["load_package", "package_from_dict"]
