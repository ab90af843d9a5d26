from tests.trace.conftest import config, sample_graph

__all__ = ["config", "sample_graph"]
