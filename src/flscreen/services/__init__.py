"""Use cases, each written once: the CLI, the REST API, the pages and the Python API call
these and only format what they return.

A service takes a store (and, where the caller is a tenant, its scope), does one whole
thing in one transaction, and returns a typed result; it knows nothing of HTTP or of
the terminal. The domains underneath (lists, supply, matching, region, trace, policy)
stay pure where they can be.
"""
