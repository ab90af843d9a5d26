"""Trade records (bills of lading): the supply graph nobody declared (docs/trade.md).

``read_trade_file`` validates a CSV/Parquet export; ``service.import_file`` stores it;
``service.infer`` resolves firms, infers edges and raises red flags; ``graph`` adds the
inferred edges to a supply graph as their own evidence kind.
"""

from flscreen.trade.layout import TradeRecord, fields
from flscreen.trade.read import read_trade_file

__all__ = ["TradeRecord", "fields", "read_trade_file"]
